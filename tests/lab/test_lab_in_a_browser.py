"""``make lab`` in a real browser: week 1's lab opens clean in headless Chromium, and its Setup cell runs.

The test starts ``lakelab lab`` (what ``make lab`` runs) on free ports, with a temporary home and Jupyter
settings, so it touches nothing of the user's: not their ``~/.jupyter`` or ``~/.lakelab``, nor an emulator
or JupyterLab they have running. It skips, saying so, where no Chromium is installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from headless_chromium import Browser, find_chromium, free_port

from lakelab.notebooks.labs import ROOT

pytestmark = pytest.mark.slow
CHROMIUM = find_chromium()
NO_CHROMIUM = ("no Chromium installed, so JupyterLab is not tested in a browser: install one (Debian, Ubuntu: "
               "`apt-get install chromium`) or name it with LAKELAB_CHROMIUM=/path/to/chrome")
LAB = "labs/week01_s3.ipynb"


def _environment(home: Path, emulator_port: int, jupyter_port: int, token: str) -> dict[str, str]:
    """This process's environment as a learner's shell would have it, with every setting folder in ``home``."""
    config = home / "jupyter-config"
    config.mkdir(parents=True)
    (config / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"ip": "127.0.0.1", "port": jupyter_port, "port_retries": 0},
        "IdentityProvider": {"token": token},
        "LabApp": {"user_settings_dir": str(home / "lab-user-settings"),
                   "workspaces_dir": str(home / "lab-workspaces")},
        # JupyterLab checkpoints a notebook it opens; an absolute folder keeps that out of the repository's labs/.
        "FileCheckpoints": {"checkpoint_dir": str(home / "checkpoints")},
    }))
    # The test opens a file of the repository: no autosave may write it while the test looks.
    docmanager = home / "lab-user-settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_ENDPOINT_URL", "JUPYTER", "LAKELAB_"))}
    return {**env, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"), "IPYTHONDIR": str(home / "ipython"),
            "LAKELAB_HOME": str(home / "lakelab"), "LAKELAB_TARGET": "local", "LAKELAB_PORT": str(emulator_port)}


@contextlib.contextmanager
def make_lab(home: Path) -> Iterator[tuple[str, str]]:
    """``lakelab lab --no-browser`` running; yields JupyterLab's address and token, and stops it after."""
    emulator_port, jupyter_port, token = free_port(), free_port(), secrets.token_hex(16)
    log = (home / "make-lab.log").open("w")
    launcher = subprocess.Popen([sys.executable, "-m", "lakelab.cli", "lab", "--no-browser"], cwd=ROOT,
                                env=_environment(home, emulator_port, jupyter_port, token),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{jupyter_port}"
    try:
        _wait_for_jupyter(base, token, launcher, home / "make-lab.log")
        yield base, token
    finally:
        launcher.send_signal(signal.SIGTERM)  # the launcher stops JupyterLab and the emulator, in order
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
        log.close()


def _wait_for_jupyter(base: str, token: str, launcher: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return
        except OSError:
            assert launcher.poll() is None, f"make lab stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, \
                f"JupyterLab did not answer within {seconds} s:\n{log.read_text()[-3000:]}"
            time.sleep(0.3)


# JupyterLab 4's page, as the test reads it (class names from JupyterLab's own stylesheets).
# Loaded (the cells read from the file are there; a notebook still loading shows one empty cell) and its kernel
# idle: the status bar says so once the kernel has answered.
NOTEBOOK_READY = ("Array.from(document.querySelectorAll('.jp-Notebook .cm-content'))"
                  ".some(editor => editor.textContent.includes('lakelab.start(')) && "
                  "document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle' && "
                  "document.querySelector('.jp-StatusBar-Widget')?.innerText.includes('Python 3 (ipykernel) | Idle')")
DIRTY_TABS = "Array.from(document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')).map(tab => tab.innerText)"
SETUP_CELL = """(() => {
  const cell = Array.from(document.querySelectorAll('.jp-CodeCell'))
    .find(cell => cell.querySelector('.cm-content')?.textContent.includes('lakelab.start('));
  if (!cell) return null;
  cell.scrollIntoView({block: 'center'});
  cell.dataset.lakelabSetup = 'yes';
  const box = cell.querySelector('.cm-content').getBoundingClientRect();
  return {x: box.left + 40, y: box.top + 8};
})()"""
SETUP_OUTPUT = "document.querySelector('[data-lakelab-setup] .jp-OutputArea')?.innerText"
NEWS_QUESTION = "official Jupyter news"  # JupyterLab 4: "Would you like to get notified about official Jupyter news?"


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_week_1_opens_clean_and_its_setup_cell_prints_the_target(tmp_path: Path) -> None:
    checkpoints = ROOT / "labs" / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    with make_lab(tmp_path) as (base, token), \
            Browser(CHROMIUM, tmp_path / "chromium", f"{base}/lab/tree/{LAB}?token={token}") as browser:
        try:
            browser.wait_for(NOTEBOOK_READY, 60, "week 1's notebook with its kernel idle")
            time.sleep(2)  # JupyterLab writes the kernel's metadata into the notebook just after it connects
            assert browser.evaluate(DIRTY_TABS) == [], "opening a lab marked it modified"
            position = browser.wait_for(SETUP_CELL, 10, "the Setup cell (the one calling lakelab.start)")
            browser.click(position["x"], position["y"])
            browser.shift_enter()
            output = browser.wait_for(SETUP_OUTPUT + "?.includes('This lab creates') && " + SETUP_OUTPUT, 40,
                                      "the Setup cell's output")
            assert "Target: local · shared emulator (lakelab serve)" in output, output
            assert browser.evaluate(DIRTY_TABS), "a run cell marks the notebook modified: the check above can see it"
            assert NEWS_QUESTION not in browser.evaluate("document.body.innerText")
        finally:
            browser.screenshot(tmp_path / "jupyterlab.png")  # what the page showed, to look at when this fails
    # Jupyter Server logs every save ("Saving file at /labs/week01_s3.ipynb"): nothing wrote the lab.
    saves = [line for line in (tmp_path / "make-lab.log").read_text().splitlines() if "Saving file at" in line]
    assert not [line for line in saves if LAB in line], saves
    assert had_checkpoints or not checkpoints.exists(), "JupyterLab's checkpoint went into the repository"
