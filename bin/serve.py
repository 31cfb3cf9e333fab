"""Serve the app and its django-q2 worker cluster together; Ctrl-C stops both.

Each child runs in its own process group, so stopping it also stops the
processes it forked (the cluster's workers), and nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 15


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed commands of this project
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        start_new_session=True,
    )


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            # The main process stops what it started; signalling its whole group
            # at once would make the cluster try to replace its workers.
            child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        remaining = max(0.1, deadline - time.monotonic())
        try:
            child.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    for child in children:
        # Whatever the child forked and left behind in its group goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    if not port.isdigit():
        print(f"PORT={port!r} is not a port number.", file=sys.stderr)
        return 2
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children = [
        _start(["qcluster"]),
        _start(["runserver", "--noreload", f"127.0.0.1:{port}"]),
    ]
    print(
        f"FOIA Workbench: http://127.0.0.1:{port}/  (Ctrl-C stops the server "
        "and the worker)",
        flush=True,
    )
    exit_code = 0
    try:
        while not stopping:
            for child in children:
                code = child.poll()
                if code is not None:
                    print(f"{child.args[2]} exited with {code}; stopping.", flush=True)
                    stopping = True
                    exit_code = code or 1
            time.sleep(0.3)
    finally:
        print("Stopping the server and the worker...", flush=True)
        _stop(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
