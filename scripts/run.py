#!/usr/bin/env python
"""`make run`: start the web server and the task worker together; Ctrl-C stops both.

Prints the URL and one demo login per role once the server answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def wait_for(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost URL)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    port = os.environ.get("PORT", "8000")
    if not port.isdigit():
        print(f"PORT must be a number, got {port!r}", file=sys.stderr)
        return 2
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Own sessions: a terminal Ctrl-C reaches only this script, which stops each child once
    # (a second SIGINT would make the worker abandon a running task).
    web = subprocess.Popen([PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, start_new_session=True)
    worker = subprocess.Popen([PY, "manage.py", "run_worker"], cwd=ROOT, env=env, start_new_session=True)
    children = [web, worker]

    def stop(*_args: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    url = f"http://127.0.0.1:{port}/"
    try:
        if wait_for(url + "healthz"):
            subprocess.run([PY, "manage.py", "demo_logins"], cwd=ROOT, env=env, check=False)
            print(f"\n  Jembatan is running at {url}  (worker running too; Ctrl-C stops both)\n", flush=True)
        else:
            print(f"The web server did not answer on {url}; see the messages above.", file=sys.stderr)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped; shutting down the other.", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nStopping Jembatan…", flush=True)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
