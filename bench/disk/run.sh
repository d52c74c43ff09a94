#!/usr/bin/env bash
# Disk: what one durable write of a 4 KB message costs on the spool's disk, before any SMTP; the floor under
# the proxy's rate when one session sends one message at a time (each 250 waits for its own sync).
#   bench/disk/run.sh [writes] [folder]     (defaults 3000, a scratch folder under /tmp)
# Put [folder] on the file system the spool will use: the figures are the disk's. 64 files of 16 KB are written
# and synced first (slots written before, as the spool's recycled ones are); then, for groups of 1, 3 and 8
# messages (a group: the slots one sync covers; 3 is a typical group of 20 sessions here), each message writes
# 4,750 bytes (4 KB of message, the slot's header and trailer) over the start of the next file, and the group is
# made durable one way of six:
#   fdatasync-each     an fdatasync per file (the spool's PerFile mode; a message alone, in either mode)
#   syncfs             one syncfs of the whole file system (the spool's FileSystem mode, for a group)
#   sync_file_range    sync_file_range (write, wait) per file, then one fdatasync for the disk's cache
#                      (not used by the spool: it does not write metadata, so it holds only for data written
#                      over in place on a file system that does not copy on write)
#   o_direct           O_DIRECT writes of 8 KB (padded to the sector), then one fdatasync
#   o_direct_dsync     O_DIRECT | O_DSYNC writes of 8 KB: each write waits for the disk itself
#   journal            the group's messages written one after another into one file of 1 MB written before
#                      (as a log-structured spool would append to a journal it recycles), then one fdatasync
#                      of it (not used by the spool: the figure a journal would have to beat the slots by)
# Prints per way: the time a group waits (p50, p90) and the machine's CPU a message (/proc/stat, every process
# and kernel thread; its 10 ms ticks make it coarse below a few thousand writes), and the write requests the
# disk completed a group (/proc/diskstats; cache flushes not counted; "-" on a file system with no block
# device). A slot file written over in a later kernel tick than its last write (4 ms at 250 Hz) has a new
# mtime, and its sync writes the inode's block as well: the spool's slots, reused over and over, pay that
# request where the journal's one file pays it once a tick. Needs python3. Linux only.
set -euo pipefail
. bench/lib.sh # machine
writes=${1:-3000}
folder=${2:-}
[ -n "$folder" ] || { folder=$(mktemp -d /tmp/sfp-disk.XXXX); trap 'rm -rf "$folder"' EXIT; }
mkdir -p "$folder"
echo "$(machine) writes=$writes folder=$folder ($(df -T "$folder" | awk 'NR==2{print $2}'))"
python3 - "$writes" "$folder" <<'PY'
import ctypes, mmap, os, sys, time
libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.sync_file_range.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
WAIT_BEFORE, WRITE, WAIT_AFTER = 1, 2, 4
writes, folder = int(sys.argv[1]), sys.argv[2]

def written_before(path, size):  # a file of size bytes, written and synced
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"x" * size)
    os.fsync(fd)
    os.close(fd)

paths = [os.path.join(folder, f"slot{i}") for i in range(64)]
for path in paths: written_before(path, 16384)
journal_path, journal_size = os.path.join(folder, "journal"), 1 << 20
written_before(journal_path, journal_size)
journal_at = 0
dirfd = os.open(folder, os.O_RDONLY)
os.fsync(dirfd)
message = b"m" * 4750
aligned = mmap.mmap(-1, 8192)  # page-aligned, as O_DIRECT needs
aligned.write(b"m" * 8192)

device = os.stat(folder).st_dev

def disk_writes():  # write requests completed by the folder's disk (or partition) so far, /proc/diskstats
    for line in open("/proc/diskstats"):
        f = line.split()
        if os.makedev(int(f[0]), int(f[1])) == device: return int(f[7])
    return None  # not a block device (tmpfs, overlay): not counted

def machine_jiffies():
    f = list(map(int, open("/proc/stat").readline().split()[1:]))
    return f[0] + f[1] + f[2] + f[5] + f[6]  # user, nice, system, irq, softirq

def fdatasync_each(group):
    for fd in group: os.fdatasync(fd)

def syncfs(group):
    if libc.syncfs(dirfd) != 0: raise OSError(ctypes.get_errno(), "syncfs")

def range_sync(fd, flags):
    if libc.sync_file_range(fd, 0, 0, flags) != 0: raise OSError(ctypes.get_errno(), "sync_file_range")

def sync_file_range(group):
    for fd in group: range_sync(fd, WRITE)
    for fd in group[:-1]: range_sync(fd, WAIT_BEFORE | WRITE | WAIT_AFTER)
    os.fdatasync(group[-1])

def last_fdatasync(group): os.fdatasync(group[-1])

def nothing(group): pass

def write_each(group, data):
    for fd in group: os.pwrite(fd, data, 0)

def write_journal(group, data):  # group: the journal's one descriptor once per message
    global journal_at
    for fd in group:
        if journal_at + len(data) > journal_size: journal_at = 0
        os.pwrite(fd, data, journal_at)
        journal_at += len(data)

ways = [("fdatasync-each", 0, message, paths, write_each, fdatasync_each),
        ("syncfs", 0, message, paths, write_each, syncfs),
        ("sync_file_range", 0, message, paths, write_each, sync_file_range),
        ("o_direct", os.O_DIRECT, aligned, paths, write_each, last_fdatasync),
        ("o_direct_dsync", os.O_DIRECT | os.O_DSYNC, aligned, paths, write_each, nothing),
        ("journal", 0, message, [journal_path], write_journal, last_fdatasync)]
print(f"{'way':16s} {'group':>5s} {'wait p50 us':>12s} {'p90 us':>8s} {'machine CPU us/msg':>19s} {'disk writes/group':>18s}")
for size in (1, 3, 8):
    for name, flags, data, files, write, sync in ways:
        fds = []
        try:
            for path in files: fds.append(os.open(path, os.O_RDWR | flags))
            os.pwrite(fds[0], data, 0)
            sync(fds[:1])
        except OSError as e:
            for fd in fds: os.close(fd)
            print(f"{name:16s} {size:5d}  not supported here: {e.strerror}")
            continue
        waits, k, groups = [], 0, writes // size
        before, writes_before = machine_jiffies(), disk_writes()
        for _ in range(groups):
            group = [fds[(k + i) % len(fds)] for i in range(size)]
            k += size
            start = time.perf_counter_ns()
            write(group, data)
            sync(group)
            waits.append(time.perf_counter_ns() - start)
        cpu = (machine_jiffies() - before) * 1e6 / os.sysconf("SC_CLK_TCK") / (groups * size)
        requests = "-" if writes_before is None else f"{(disk_writes() - writes_before) / groups:.2f}"
        for fd in fds: os.close(fd)
        waits.sort()
        print(f"{name:16s} {size:5d} {waits[len(waits) // 2] / 1000:12.1f} {waits[int(len(waits) * 0.9)] / 1000:8.1f} {cpu:19.1f} {requests:>18s}")
PY
