"""Run one Airflow process for an environment and take it down when the emulator goes.

``python -m lakelab.emulator.services.mwaa.guard <emulator pid> <command...>`` starts the command
in this process's group (the guard leads its own session) and waits. When the emulator's process
disappears (a kernel restarted, a terminal closed), the guard kills the whole group: the Airflow
process and whatever it forked (LocalExecutor workers, task processes). Stopping an environment
kills the group too, so nothing Airflow started outlives the environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str]) -> int:
    owner, command = int(argv[0]), argv[1:]
    child = subprocess.Popen(command)
    while child.poll() is None:
        if not alive(owner):
            os.killpg(os.getpgrp(), signal.SIGKILL)
        time.sleep(1.0)
    return child.returncode or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
