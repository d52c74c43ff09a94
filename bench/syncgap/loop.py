"""A lone session's syncs without the proxy: 4,750 bytes written over the start of one slot-sized file,
fdatasync, a sleep, a 1-byte mark written over it (as the proxy's free mark), again and again until
killed. The sleeps take the PAUSES (microseconds) in turn, so that each pause meets the same seconds of
the host.

    python3 loop.py FILE PAUSE_US[,PAUSE_US...]
"""
import os
import sys
import time

path, pauses = sys.argv[1], [float(pause) / 1e6 for pause in sys.argv[2].split(",")]
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"x" * 16384)
os.fsync(fd)
message = b"m" * 4750
turn = 0
while True:
    pause = pauses[turn % len(pauses)]
    turn += 1
    os.pwrite(fd, message, 0)
    os.fdatasync(fd)
    if pause:
        time.sleep(pause)
    os.pwrite(fd, b"F", 0)
