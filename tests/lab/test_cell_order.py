"""A cell run before the one that defines its names, and a wait interrupted: what the learner is told."""

from __future__ import annotations

import json
import os
import queue
import time

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

from lakelab.lab import cell_order
from lakelab.notebooks.labs import LABS


def test_the_names_a_cell_binds():
    source = ("import json\nfrom lakelab import datasets as ds\nlab = lakelab.start(week=1)\nnames, check = lab.names, lab.check\n"
              "def helper():\n    inner = 1\nfor shard in []:\n    pass\nwith open('x') as handle:\n    pass\n"
              "if (found := 3):\n    pass\n%matplotlib inline\nTOTAL += 1\n")
    assert cell_order._names_bound(source) == {"json", "ds", "lab", "names", "check", "helper", "shard", "handle",
                                                "found", "TOTAL"}
    assert cell_order._names_bound("def broken(:") == set()


def test_each_lab_says_which_cell_defines_a_name():
    cells = json.loads((LABS / "week01_s3.ipynb").read_text())["cells"]
    assert cell_order.defining_cell(cells, "BUCKET") == (
        "the cell under “Setup” (code cell 1 of the notebook), which starts `import json`")
    assert cell_order.defining_cell(cells, "nowhere_defined") is None


def test_a_kernel_make_lab_starts_explains_a_cell_run_too_early_and_an_interrupted_wait(tmp_path, monkeypatch):
    folder = cell_order.kernel_spec_dir()
    notebook = tmp_path / "week01_s3.ipynb"
    notebook.write_text((LABS / "week01_s3.ipynb").read_text())
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert f"--InteractiveShellApp.extensions={cell_order.__name__}" in spec.argv
    manager, client = start_new_kernel(kernel_name="python3", env={**os.environ, "JPY_SESSION_NAME": str(notebook)})
    try:
        error = _run(client, "s3.create_bucket(Bucket=BUCKET)")  # the first cell run: before Setup
        assert error["ename"] == "NameError"
        assert "💡 `s3` is defined by an earlier cell that has not run in this kernel" in error["traceback"][-1]
        assert "“Setup”" in error["traceback"][-1]
        _run(client, "from lakelab.lab.waiting import wait_until", expect_error=False)
        client.execute("wait_until(lambda: False, 'the crawler to finish', timeout=120)")
        time.sleep(2)
        manager.interrupt_kernel()
        error = _error(client)
        assert error["traceback"] == ["⏹ interrupted while waiting for the crawler to finish: run this cell again to "
                                      "wait again"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _run(client, code: str, expect_error: bool = True) -> dict:
    client.execute(code)
    error = _error(client)
    assert (error is not None) == expect_error, error
    return error


def _error(client) -> dict | None:
    """The error the last cell ended with (None: it ended well), read until the kernel is idle again."""
    deadline, error = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        try:
            message = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if message["msg_type"] == "error":
            error = message["content"]
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return error
    raise AssertionError("the kernel did not answer within 60 s")
