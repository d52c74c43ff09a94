# STARTTLS handshakes in a loop: python3 storm.py PORT THREADS SECONDS. Each thread connects, says EHLO,
# STARTTLS, completes the TLS handshake (the certificate is not checked: a self-signed one on loopback) and
# QUITs, again and again. Prints the handshakes completed per second.
import socket, ssl, sys, threading, time

port, threads, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
done = [0] * threads
stop = time.time() + seconds


def reply(f):
    while True:
        line = f.readline()
        if not line or line[3:4] == b" ":
            return line


def loop(index):
    while time.time() < stop:
        with socket.create_connection(("127.0.0.1", port)) as plain:
            f = plain.makefile("rwb")
            reply(f)
            f.write(b"EHLO storm\r\n"); f.flush(); reply(f)
            f.write(b"STARTTLS\r\n"); f.flush()
            if not reply(f).startswith(b"220"):
                raise SystemExit("STARTTLS refused")
            with context.wrap_socket(plain, server_hostname="localhost") as tls:
                t = tls.makefile("rwb")
                t.write(b"QUIT\r\n"); t.flush(); reply(t)
        done[index] += 1


workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
print(f"handshakes {sum(done) / seconds:.0f}/s")
