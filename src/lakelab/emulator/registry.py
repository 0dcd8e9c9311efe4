"""Which extension module extends which moto backend, and installing them once."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

# moto backend name -> extension modules (relative to lakelab.emulator) that extend it.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "s3": ("s3", "awslambda.triggers"),  # S3 checks a Lambda destination's permission
    "awslambda": ("awslambda",),  # moto names the Lambda backend "awslambda", not "lambda"
    "glue": ("glue_crawlers", "glue_jobs"),
    "emrserverless": ("emr_serverless",),  # moto's backend name for EMR Serverless
    "athena": ("athena",),
    "iam": ("iam",),
}

_installed: set[str] = set()
_lock = threading.Lock()
_reset_hooks: list[Callable[[], None]] = []


def install_for_backend(backend: str) -> None:
    """Install every extension of ``backend``; each module is installed at most once."""
    for module_name in EXTENSIONS.get(backend, ()):
        with _lock:
            if module_name in _installed:
                continue
            module = importlib.import_module(f"lakelab.emulator.{module_name}")
            module.install()
            _installed.add(module_name)


def install_all() -> None:
    for backend in EXTENSIONS:
        install_for_backend(backend)


def on_reset(hook: Callable[[], None]) -> None:
    """Register state an extension keeps outside moto, to clear on ``/moto-api/reset``."""
    _reset_hooks.append(hook)


def run_reset_hooks() -> None:
    for hook in list(_reset_hooks):
        hook()


def installed() -> list[str]:
    return sorted(_installed)
