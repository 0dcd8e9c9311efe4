"""What each cell did, recorded from inside the nbval run by a small pytest plugin.

nbval runs every code cell as one pytest item and carries on after a failing one; this plugin
writes one JSON line per cell as soon as the cell ends (so a run killed by the submission's time
limit still leaves what had happened), plus the kernel's process id, so the grader can stop it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lakelab.grading.results import CellResult, truncated


class CellRecorder:
    """The pytest plugin: ``pytest.main([...], plugins=[CellRecorder(path)])``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._kernel_noted = False

    def pytest_sessionstart(self) -> None:
        os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)  # read by now; the kernel gets the grading environment

    def _write(self, record: dict) -> None:
        with self._path.open("a", encoding="utf-8") as lines:
            lines.write(json.dumps(record) + "\n")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        number = getattr(item, "cell_num", None)
        if number is None:
            return
        if call.when == "setup" and report.passed:
            self._note_kernel(item)
        elif call.when == "call" or (call.when == "setup" and not report.passed):
            self._write({"cell": number, **_what_happened(item, call)})

    def _note_kernel(self, item) -> None:
        kernel = getattr(item.parent, "kernel", None)
        provisioner = getattr(getattr(kernel, "km", None), "provisioner", None)
        if not self._kernel_noted and getattr(provisioner, "pid", None):
            self._write({"kernel_pid": provisioner.pid})
            self._kernel_noted = True


def _what_happened(item, call) -> dict:
    """Status, error name and message of one cell, from its error output or nbval's own failure.

    The error output is looked at even when nbval passed the cell: a ``# NBVAL_RAISES_EXCEPTION``
    marker in the learner's cell must not hide its error from the feedback.
    """
    outputs = getattr(item, "test_outputs", None) or []
    errors = [out for out in outputs if out.get("output_type") == "error"]
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception):
        return {"status": "skipped"}
    message = str(call.excinfo.value) if call.excinfo is not None else ""
    if message.startswith("Timeout of"):
        return {"status": "timeout", "name": "Timeout", "message": message.split(" Failed")[0]}
    if errors:
        name, text = errors[-1].get("ename", "Error"), errors[-1].get("evalue", "")
    elif call.excinfo is not None:  # nbval failed the cell itself: the kernel died, or did not start
        name, text = call.excinfo.typename, message
    else:
        return {"status": "ok"}
    return {"status": "error", "name": truncated(name, 200), "message": truncated(text)}


def read(path: Path, code_cells: list[tuple[int, str]]) -> tuple[int | None, list[CellResult]]:
    """The kernel's process id and one result per code cell (``not run`` where nothing was recorded)."""
    kernel_pid, recorded = None, {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # the last line of a run killed mid-write
                continue
            if "kernel_pid" in record:
                kernel_pid = record["kernel_pid"]
            else:
                recorded[record["cell"]] = record
    cells = []
    for number, (index, source) in enumerate(code_cells):
        record = recorded.get(number, {"status": "not run"})
        cells.append(CellResult(index, source, record["status"], record.get("name", ""), record.get("message", "")))
    return kernel_pid, cells
