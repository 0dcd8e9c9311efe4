"""``make lab``: the shared emulator and JupyterLab, started together and stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from lakelab import targets
from lakelab.emulator.server import probe
from lakelab.lab.cell_order import kernel_spec_dir
from lakelab.lab.opens_clean import jupyter_arguments
from lakelab.notebooks.labs import ROOT


def _start_emulator(port: int) -> subprocess.Popen | None:
    """Start ``lakelab serve`` unless one already answers on the course port (then share it)."""
    endpoint = f"http://127.0.0.1:{port}"
    if probe(endpoint):
        print(f"Using the Lake Labs emulator already answering on {endpoint}.")
        return None
    # A new session: Ctrl-C reaches this launcher only, which then stops both children in order.
    process = subprocess.Popen([sys.executable, "-m", "lakelab.cli", "serve", "--port", str(port)],
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while not probe(endpoint):
        if process.poll() is not None:
            raise targets.TargetError(f"the emulator did not start on port {port} (see the message above)")
        if time.monotonic() > deadline:
            process.terminate()
            raise targets.TargetError(f"the emulator did not answer on port {port} within 30 s")
        time.sleep(0.1)
    return process


def _jupyter_command(open_browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}",
               "--LabApp.default_url=/lab/tree/labs", f"--ServerApp.open_browser={open_browser}",
               *jupyter_arguments()]  # no news question, no "modified" mark on open
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and cloud desktops often run as root
    return command


def run_lab(open_browser: bool = True) -> int:
    kind = targets.selected()
    env = dict(os.environ, LAKELAB_TARGET=kind, LAKELAB_PORT=str(targets.course_port()))
    # Kernels that explain a cell run before the one defining its names, from the very first cell.
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernel_spec_dir()), os.environ.get("JUPYTER_PATH")]))
    emulator = _start_emulator(targets.course_port()) if kind == "local" else None
    jupyter = subprocess.Popen(_jupyter_command(open_browser), env=env, start_new_session=True)
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    try:
        while jupyter.poll() is None and not stopping:
            time.sleep(0.2)
    finally:
        for process in (jupyter, emulator):
            _stop(process)
    print("JupyterLab and the emulator are stopped.")
    return 0


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
