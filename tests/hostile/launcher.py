"""Start one command and report its own peak RSS: `python -S launcher.py SPEC_JSON` prints a JSON result.

Why a launcher: Linux counts the memory a child inherited at fork (and, with vfork, the parent's
whole address space) in that child's ru_maxrss, so a child forked straight from a large pytest
process reports pytest's size. Forked from this small process instead, the command's ru_maxrss
from os.wait4 is its own peak plus at most this launcher's ~10 MB: a per-child figure, never
cumulative, and never smaller than the truth.
"""

import json
import os
import signal
import subprocess
import sys
import time


def main() -> None:
    spec = json.loads(sys.argv[1])
    with (
        open(spec["stdin"], "rb") if spec["stdin"] else open(os.devnull, "rb") as stdin,
        open(spec["stdout"], "wb") as stdout,
        open(spec["stderr"], "wb") as stderr,
    ):
        start = time.monotonic()
        proc = subprocess.Popen(
            spec["argv"], stdin=stdin, stdout=stdout, stderr=stderr, cwd=spec["cwd"], env=spec["env"]
        )
        interrupted = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - start
            if spec["interrupt_after"] is not None and not interrupted and elapsed > spec["interrupt_after"]:
                proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
                interrupted = True
            if elapsed > spec["hard_timeout"]:
                proc.kill()  # the caller's time bound then fails with the real figure
            time.sleep(0.01)
        seconds = time.monotonic() - start
    print(
        json.dumps({"returncode": os.waitstatus_to_exitcode(status), "seconds": seconds, "maxrss_kb": usage.ru_maxrss})
    )


if __name__ == "__main__":
    main()
