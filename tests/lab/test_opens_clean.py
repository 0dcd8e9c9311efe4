"""A lab opens clean in ``make lab``'s JupyterLab: no news question, nothing marked modified on open."""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import nbformat
import pytest
from ipykernel.ipkernel import IPythonKernel
from jupyter_client.kernelspec import KernelSpecManager

from lakelab.lab import launcher
from lakelab.lab.opens_clean import SETTINGS_DIR, CourseContentsManager, as_the_kernel_reports, jupyter_arguments
from lakelab.notebooks.labs import LABS

NOTIFICATION = "@jupyterlab/apputils-extension:notification"
LAB_FILES = sorted(LABS.glob("*.ipynb"))


def _schema(plugin: str) -> dict:
    package, name = plugin.split(":")
    return json.loads((Path(sys.prefix) / "share/jupyter/lab/schemas" / package / f"{name}.json").read_text())


def test_the_course_settings_turn_off_the_news_question_and_the_update_check():
    overrides = json.loads((SETTINGS_DIR / "overrides.json").read_text())
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    schema = _schema(NOTIFICATION)
    jsonschema.validate(overrides[NOTIFICATION], schema)  # values JupyterLab accepts, not just any JSON
    choices = {choice["const"]: choice["title"] for choice in schema["properties"]["fetchNews"]["oneOf"]}
    assert choices["false"] == "Never" and schema["properties"]["fetchNews"]["default"] == "none", \
        "JupyterLab asks while fetchNews is 'none', its default"


def test_make_lab_gives_jupyterlab_the_course_settings():
    command = launcher._jupyter_command(open_browser=False)
    assert all(argument in command for argument in jupyter_arguments())
    assert f"--LabApp.app_settings_dir={SETTINGS_DIR}" in command and "--LabApp.news_url=None" in command


@pytest.mark.parametrize("lab", LAB_FILES, ids=lambda path: path.stem)
def test_a_lab_holds_the_metadata_jupyterlab_writes_when_its_kernel_starts(lab):
    notebook = nbformat.read(lab, as_version=4)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5), "older minor versions are converted on open"
    assert all("id" in cell for cell in notebook.cells), "cells without ids get one on open"
    spec = KernelSpecManager().get_kernel_spec("python3")
    # JupyterLab's NotebookPanel._updateSpec writes {name, display_name, language} of the kernel's spec
    assert notebook.metadata["kernelspec"] == {"name": "python3", "display_name": spec.display_name,
                                               "language": spec.language}
    # ... and _updateLanguage the kernel_info reply's language_info: the contents manager reads it in
    assert as_the_kernel_reports(dict(notebook.metadata))["language_info"] == IPythonKernel.language_info
    assert nbformat.sign.NotebookNotary(data_dir=str(lab.parent), db_file=":memory:").check_cells(notebook), \
        "a lab without outputs is trusted: nothing to sign"


def test_the_contents_manager_reads_the_kernels_language_info_in_and_leaves_the_file_alone(tmp_path):
    shutil.copy(LAB_FILES[0], tmp_path / "lab.ipynb")
    before = (tmp_path / "lab.ipynb").read_bytes()
    model = asyncio.run(CourseContentsManager(root_dir=str(tmp_path)).get("lab.ipynb"))
    assert model["content"]["metadata"]["language_info"] == IPythonKernel.language_info
    assert (tmp_path / "lab.ipynb").read_bytes() == before
    other = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "ir", "display_name": "R", "language": "R"},
                                               "language_info": {"name": "R"}})
    nbformat.write(other, tmp_path / "r.ipynb")
    model = asyncio.run(CourseContentsManager(root_dir=str(tmp_path)).get("r.ipynb"))
    assert model["content"]["metadata"]["language_info"] == {"name": "R"}, "another kernel's notebook is left alone"


@pytest.mark.slow
def test_jupyterlab_started_as_make_lab_does_serves_the_settings_and_the_lab(tmp_path):
    (tmp_path / "labs").mkdir()
    shutil.copy(LAB_FILES[0], tmp_path / "labs" / "lab.ipynb")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={tmp_path}", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.open_browser=False",
               f"--LabApp.user_settings_dir={tmp_path / 'user-settings'}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", *jupyter_arguments()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "jupyter.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                settings = json.load(urllib.request.urlopen(f"{base}/lab/api/settings/{NOTIFICATION}"))
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "jupyter.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
                time.sleep(0.3)
        # the overrides are the schema's defaults the server sends; the learner's own settings (raw) stay empty
        defaults = {key: settings["schema"]["properties"][key]["default"] for key in ("fetchNews", "checkForUpdates")}
        assert defaults == {"fetchNews": "false", "checkForUpdates": False}
        lab = json.load(urllib.request.urlopen(f"{base}/api/contents/labs/lab.ipynb"))
        assert lab["content"]["metadata"]["language_info"] == IPythonKernel.language_info
        news = json.load(urllib.request.urlopen(f"{base}/lab/api/news"))
        assert news["news"] == []
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
