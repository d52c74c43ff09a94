"""Each fdatasync call of the given threads, taken apart from `perf script` output on stdin (the events
bench/syncgap/run.sh records): from the call to its first block request; from that request to the block
completion that woke the thread last (the disk: the slot's write, then the cache flush); from that
completion to the wake-up; from the wake-up to running again; and from there to the call's return. A
thread sleeps more than once in a call (for the write, then for the flush): the last sleep ends it.
Prints the calls, then p10 / p50 / p90 of each part in microseconds, and the block requests a call issued
(its own writes, the slot's data and sometimes its inode, and the cache flush); then the disk's part by
how long the threads had been out of fdatasync before the call (the pause since the previous sync
returned), so that syncs after short and long pauses are compared over the same seconds of the host.

    perf script -i DATA | python3 calls.py TID[,TID...]
"""
import re
import sys

threads = {int(tid) for tid in sys.argv[1].split(",")}
event = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+(\S+):\s*(.*)$")
in_flight = {}  # thread id -> the call's times so far
last_return = None  # when the last fdatasync of any of the threads returned (a lone session syncs one at a time)
calls = []
for line in sys.stdin:
    match = event.match(line)
    if not match:
        continue
    _, tid, seconds, name, fields = match.groups()
    tid, at = int(tid), float(seconds) * 1e6
    if name == "syscalls:sys_enter_fdatasync" and tid in threads:
        in_flight[tid] = {
            "pause": None if last_return is None else at - last_return, "enter": at, "issue": None, "requests": 0,
            "complete": None, "woken_by": None, "wake": None, "run": None,
        }
    elif name == "block:block_rq_issue":
        # Its own writes, and the cache flushes (FF), which a kernel worker issues for it.
        flush = fields.split()[1:2] == ["FF"]
        for thread, call in in_flight.items():
            if thread == tid or flush:
                call["issue"] = call["issue"] or at
                call["requests"] += 1
    elif name == "block:block_rq_complete":
        for call in in_flight.values():
            call["complete"] = at
    elif name == "sched:sched_wakeup":
        woken = re.search(r"\bpid=(\d+)", fields)
        call = in_flight.get(int(woken.group(1))) if woken else None
        if call:
            # The last completion before the last wake-up is the one that woke it; later ones are others'.
            call["wake"], call["woken_by"] = at, call["complete"]
    elif name == "sched:sched_switch":
        switch = re.search(r"next_pid=(\d+)", fields)
        call = in_flight.get(int(switch.group(1))) if switch else None
        if call and call["wake"] is not None:
            call["run"] = at
    elif name == "syscalls:sys_exit_fdatasync" and tid in in_flight:
        call = in_flight.pop(tid)
        call["exit"] = last_return = at
        calls.append(call)


def spread(values):
    values = sorted(values)
    if not values:
        return "none"
    n = len(values)
    return f"{values[n // 10]:7.0f} {values[n // 2]:7.0f} {values[9 * n // 10]:7.0f}"


whole = [c for c in calls if None not in (c["issue"], c["woken_by"], c["wake"], c["run"])]
print(f"calls {len(calls)}, taken apart {len(whole)} (the others did not sleep)")
print(f"{'part (us)':28} {'p10':>7} {'p50':>7} {'p90':>7}")
for label, values in [
    ("whole call", [c["exit"] - c["enter"] for c in whole]),
    ("call to first request", [c["issue"] - c["enter"] for c in whole]),
    ("the disk", [c["woken_by"] - c["issue"] for c in whole]),
    ("completion to wake-up", [c["wake"] - c["woken_by"] for c in whole]),
    ("wake-up to running", [c["run"] - c["wake"] for c in whole]),
    ("running to return", [c["exit"] - c["run"] for c in whole]),
    ("block requests a call", [c["requests"] for c in whole]),
]:
    print(f"{label:28} {spread(values)}")

print(f"{'the disk by the pause before':28} {'calls':>7} {'p10':>7} {'p50':>7} {'p90':>7}")
bounds = [0, 50, 150, 300, 600, 1200, 2400, float("inf")]
for low, high in zip(bounds, bounds[1:]):
    group = [c["woken_by"] - c["issue"] for c in whole if c["pause"] is not None and low <= c["pause"] < high]
    if group:
        label = f"{low}-{high} us" if high != float("inf") else f"{low} us or more"
        print(f"{'  ' + label:28} {len(group):7} {spread(group)}")
