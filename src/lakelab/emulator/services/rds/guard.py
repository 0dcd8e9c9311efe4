"""Run one PostgreSQL server for a DB instance and take it down when the emulator goes.

``python -m lakelab.emulator.services.rds.guard <emulator pid> <data folder> <user> <postgres command...>``
starts the server (as ``user`` when it is not ``-``: the guard may run as root, PostgreSQL may not)
and waits. A ``SIGTERM`` (the instance stopped, rebooted or deleted) asks the
server for PostgreSQL's fast shutdown (``SIGINT``). When the emulator's process disappears (a kernel
restarted, a terminal closed, a ``kill -9``), the guard shuts the server down the same way, kills it
if it lingers, and removes the data folder: no server outlives the emulator that started it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

_FAST_SHUTDOWN_SECONDS = 10.0


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def shut_down(server: subprocess.Popen) -> None:
    """PostgreSQL's fast shutdown, then a kill if it has not stopped in time."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(_FAST_SHUTDOWN_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main(argv: list[str]) -> int:
    owner, folder, user, command = int(argv[0]), argv[1], argv[2], argv[3:]
    server = subprocess.Popen(command, user=None if user == "-" else user)
    signal.signal(signal.SIGTERM, lambda *_: shut_down(server))
    while server.poll() is None:
        if not alive(owner):
            shut_down(server)
            shutil.rmtree(folder, ignore_errors=True)
            break
        time.sleep(0.5)
    return server.wait() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
