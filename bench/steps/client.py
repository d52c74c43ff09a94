"""One SMTP client, one message at a time: connect, greeting, EHLO, MAIL, RCPT, DATA, a 4 KB message, QUIT.

    python3 bench/steps/client.py PORT COUNT

Times each step from the moment its command is sent (for "connect", from the connect call) to its whole
reply (for QUIT, to the server's close), and prints one line: the median of each step in microseconds, in
the order of STEPS. Stops with the reply when one is not what a message that goes through gets.
"""
import socket
import statistics
import sys
import time

STEPS = ["connect", "ehlo", "mail", "rcpt", "data", "content", "quit"]
CONTENT = b"Subject: bench\r\n\r\n" + (b"x" * 76 + b"\r\n") * 52 + b".\r\n"  # 4,077 bytes, lines under 998
COMMANDS = [("ehlo", b"EHLO bench\r\n", b"250"), ("mail", b"MAIL FROM:<bench@example.com>\r\n", b"250"),
            ("rcpt", b"RCPT TO:<sink@example.com>\r\n", b"250"), ("data", b"DATA\r\n", b"354"),
            ("content", CONTENT, b"250"), ("quit", b"QUIT\r\n", b"221")]


def reply(sock, buffer):
    """Reads one whole reply (through its last line, the one with a space after the code)."""
    while True:
        lines = buffer.split(b"\r\n")
        for i, line in enumerate(lines[:-1]):
            if line[3:4] != b"-":
                return b"\r\n".join(lines[:i + 1]), b"\r\n".join(lines[i + 1:])
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("the server closed the connection mid-reply")
        buffer += chunk


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    times = {step: [] for step in STEPS}
    for _ in range(count):
        start = time.perf_counter()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        text, rest = reply(sock, b"")
        if not text.startswith(b"220"):
            raise SystemExit(f"greeting: {text!r}")
        times["connect"].append(time.perf_counter() - start)
        for step, command, expected in COMMANDS:
            start = time.perf_counter()
            sock.sendall(command)
            text, rest = reply(sock, rest)
            if not text.startswith(expected):
                raise SystemExit(f"{step}: {text!r}")
            if step == "quit":
                while sock.recv(4096):
                    pass
            times[step].append(time.perf_counter() - start)
        sock.close()
    print(" ".join(f"{statistics.median(times[step]) * 1e6:.0f}" for step in STEPS))


main()
