"""Cells run out of order, and waits interrupted: a message that names what to do, never a kit traceback.

A learner who restarts the kernel, opens a lab half way, or runs a cell before the one that defines
what it uses gets a ``NameError``. Its traceback points at their own line; this adds which earlier cell
defines the name (its section and first line), read from the notebook the kernel runs — JupyterLab
tells a kernel its notebook in ``JPY_SESSION_NAME``. A wait interrupted with ■ (``KeyboardInterrupt``
inside the kit, or :class:`lakelab.lab.waiting.WaitInterrupted`) shows one line saying nothing is lost
and how to wait again. A failed check shows its message only.

The handlers are installed by every lab's Setup cell and, before any cell runs, by this module as an
IPython extension in the kernels ``make lab`` starts (:func:`kernel_spec_dir`): a ``NameError`` in a
cell run before Setup is explained too. Outside JupyterLab (nbval, grading) nothing here is loaded
but the Setup cell's handlers, which change no output of a notebook that runs in order.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import tempfile
from pathlib import Path

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def _names_bound(source: str) -> set[str]:
    """The names a cell's code binds at its top level: assignments, definitions, imports, loop targets."""
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound: set[str] = set()

    def targets(node: ast.AST) -> None:
        for part in ast.walk(node):
            if isinstance(part, ast.Name):
                bound.add(part.id)

    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                targets(target)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        for part in ast.walk(node):  # the walrus binds at the cell's level too
            if isinstance(part, ast.NamedExpr):
                targets(part.target)
    return bound


def defining_cell(cells: list[dict], name: str) -> str | None:
    """Where ``name`` is first bound in a notebook's cells: 'the cell under “Setup” (the 2nd code cell),
    which starts `import json`' (None when no cell binds it)."""
    heading, number = "", 0
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            found = _HEADING.findall(source)
            heading = found[-1] if found else heading
            continue
        if cell.get("cell_type") != "code":
            continue
        number += 1
        if name in _names_bound(source):
            first = next((line.strip() for line in source.splitlines()
                          if line.strip() and not line.strip().startswith("#")), "")
            under = f"under “{heading}” " if heading else ""
            return (f"the cell {under}(code cell {number} of the notebook), which starts `{first[:70]}`")
    return None


def notebook_cells() -> list[dict] | None:
    """The cells of the notebook this kernel runs, as saved (None outside JupyterLab)."""
    path = os.environ.get("JPY_SESSION_NAME", "")
    if not path.endswith(".ipynb"):
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None


def name_error_hint(error: NameError) -> str | None:
    name = getattr(error, "name", None) or (re.findall(r"name '(\w+)' is not defined", str(error)) or [None])[0]
    cells = notebook_cells()
    if not name or cells is None:
        return None
    where = defining_cell(cells, name)
    if where is None:
        return None
    return (f"`{name}` is defined by an earlier cell that has not run in this kernel (a restarted kernel forgets "
            f"every cell): {where}. Run it, then this cell again — or Run ▸ Run All Above Selected Cell.")


def _in_kit(tb) -> bool:
    kit = str(Path(__file__).resolve().parents[1])
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(kit):
            return True
        tb = tb.tb_next
    return False


def install(shell) -> None:
    """One custom handler for the exceptions the course explains (IPython keeps one set per shell)."""
    from lakelab.checks import CheckFailed
    from lakelab.lab.waiting import WaitInterrupted

    def show(shell, etype, value, tb, tb_offset=None):
        if issubclass(etype, (CheckFailed, WaitInterrupted)):
            stb = [str(value)]  # an error whose whole traceback is the message
        elif issubclass(etype, KeyboardInterrupt) and _in_kit(tb):
            stb = ["⏹ interrupted inside the course kit: nothing you built is lost (AWS goes on with what was "
                   "started). Run this cell again to carry on, or go on and let the next check say what is missing."]
        else:
            stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
            hint = name_error_hint(value) if issubclass(etype, NameError) else None
            if hint:
                stb = [*stb, "", f"💡 {hint}"]
        shell._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((CheckFailed, WaitInterrupted, NameError, KeyboardInterrupt), show)


def load_ipython_extension(shell) -> None:
    install(shell)


def kernel_spec_dir() -> Path:
    """A folder for ``JUPYTER_PATH`` holding a ``python3`` kernel spec that loads this module in every kernel:
    the notebooks' own kernel name, so opening a lab changes nothing in its metadata."""
    folder = Path(tempfile.gettempdir()) / f"lakelab-jupyter-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 f"--InteractiveShellApp.extensions={__name__}"],
        "display_name": "Python 3 (ipykernel)", "language": "python", "metadata": {"debugger": True}}, indent=1))
    return folder
