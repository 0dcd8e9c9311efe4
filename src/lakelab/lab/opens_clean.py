"""``make lab``'s JupyterLab opens a lab clean: no news question, and no "modified" mark on open.

- **News.** JupyterLab 4 asks "Would you like to get notified about official Jupyter news?" while the
  setting ``fetchNews`` of ``@jupyterlab/apputils-extension:notification`` is ``"none"`` (its default).
  The course's defaults in ``jupyterlab_settings/overrides.json`` set it to ``"false"`` and turn off the
  update check; they are defaults (JupyterLab docs, "Advanced Usage: overrides.json"), so a learner who
  changes them in Settings keeps the change. The launcher also sets ``LabApp.news_url`` to None, so the
  server never fetches the feed.
- **Modified on open.** When a notebook's kernel starts, JupyterLab writes the kernel's ``kernelspec``
  and ``language_info`` into the notebook's metadata; when they differ from what the file holds, the
  notebook is marked modified before the learner has typed anything. Generated labs carry the kernelspec
  of ipykernel's ``python3`` kernel, and ``language_info`` without the Python version (which depends on
  the machine); :class:`CourseContentsManager` fills in, as a notebook is read, the ``language_info``
  this interpreter's kernel will report, so JupyterLab's write changes nothing. The file on disk is
  untouched until the learner saves (and then holds what JupyterLab would have written).
- **Trust.** Labs have no outputs, and a notebook without outputs is trusted (nbformat's signing
  checks outputs only): nothing to sign.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

SETTINGS_DIR = Path(__file__).with_name("jupyterlab_settings")
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info() -> dict[str, Any]:
    """What ipykernel's kernel_info reply says of this interpreter (ipykernel, ``IPythonKernel.language_info``)."""
    return {"name": "python", "version": sys.version.split()[0], "mimetype": "text/x-python",
            "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]}, "pygments_lexer": "ipython3",
            "nbconvert_exporter": "python", "file_extension": ".py"}


def as_the_kernel_reports(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` with ``language_info`` as the course's kernel will report it (only for a notebook on that
    kernel, whose language_info is Python's: another kernel's notebook is left as it is)."""
    spec, info = metadata.get("kernelspec") or {}, metadata.get("language_info") or {}
    if spec.get("name") != KERNEL["name"] or info.get("name", "python") != "python":
        return metadata
    return {**metadata, "language_info": language_info()}


class CourseContentsManager(AsyncLargeFileManager):
    """Jupyter Server's default contents manager, with notebooks read as the kernel will describe them."""

    async def get(self, path: str, content: bool = True, type: str | None = None, format: str | None = None,
                  **kwargs: Any) -> dict[str, Any]:
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and model.get("content"):
            metadata = model["content"]["metadata"]
            metadata.update(as_the_kernel_reports(dict(metadata)))
        return model


def jupyter_arguments() -> list[str]:
    """The command-line settings ``make lab`` gives JupyterLab."""
    return [f"--LabApp.app_settings_dir={SETTINGS_DIR}", "--LabApp.news_url=None",
            f"--ServerApp.contents_manager_class={__name__}.CourseContentsManager"]
