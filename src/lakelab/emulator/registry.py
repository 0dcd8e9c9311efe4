"""Which extension extends which moto service, read from the packages' own declarations.

Every package under ``services/`` whose ``__init__`` declares ``SERVICES`` is an extension: the
moto services it extends (moto's backend names: ``awslambda``, ``emrserverless``), its
``PATCHES`` (:class:`~lakelab.emulator.seam.Patch` records) and, optionally, ``install()`` for
set-up that is not a patch (reset hooks, a warm-up thread). The first time a request reaches a
moto service, every extension's patches for that service are installed together, in a fixed
order -- the service's own package first (nearest moto), then the others by name, each one's
patches in declaration order -- so the result never depends on which service a notebook called
first, and two extensions wrapping one method compose the same way every time. A package that declares ``NATIVE_SERVICES`` hosts services moto lacks
(see ``native.py``).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from lakelab.emulator import seam

SERVICES_PACKAGE = "lakelab.emulator.services"

_installed_services: set[str] = set()
_set_up: set[str] = set()  # extensions whose install() has run
_lock = threading.RLock()
_reset_hooks: list[Callable[[], None]] = []
_natives: dict[str, Any] = {}  # signing name -> a NativeService, once created


@functools.lru_cache(maxsize=1)
def extensions() -> tuple[ModuleType, ...]:
    """Every package under ``services/`` that declares ``SERVICES``, in name order (light imports)."""
    from lakelab.emulator import services

    found = []
    for info in sorted(pkgutil.iter_modules(services.__path__), key=lambda module: module.name):
        if info.ispkg:
            package = importlib.import_module(f"{SERVICES_PACKAGE}.{info.name}")
            if hasattr(package, "SERVICES") or hasattr(package, "NATIVE_SERVICES"):
                found.append(package)
    return tuple(found)


def extensions_of(service: str) -> list[ModuleType]:
    """The extensions that declare ``service``: its own package first (nearest moto), then the others."""
    declaring = [package for package in extensions() if service in getattr(package, "SERVICES", ())]
    return sorted(declaring, key=lambda package: package.SERVICES[0] != service)


def install_for_backend(service: str) -> None:
    """Install every extension of moto's ``service``, once, in a fixed order."""
    with _lock:
        if service in _installed_services:
            return
        for package in extensions_of(service):
            seam.install(getattr(package, "PATCHES", ()), service, package.__name__)
            _set_up_once(package)
        _installed_services.add(service)


def _set_up_once(package: ModuleType) -> None:
    if package.__name__ not in _set_up and hasattr(package, "install"):
        package.install()
    _set_up.add(package.__name__)


def install_all() -> None:
    for service in sorted({s for package in extensions() for s in getattr(package, "SERVICES", ())}):
        install_for_backend(service)


def installed() -> list[str]:
    """The extensions installed so far (for the health route), by package name."""
    return sorted(name.rsplit(".", 1)[-1] for name in _set_up)


# --- reset ------------------------------------------------------------------------------------


def on_reset(hook: Callable[[], None]) -> None:
    """Register state an extension keeps outside moto, to clear on ``/moto-api/reset``."""
    if hook not in _reset_hooks:
        _reset_hooks.append(hook)


def run_reset_hooks() -> None:
    for hook in list(_reset_hooks):
        hook()
    for service in list(_natives.values()):
        service.reset()


# --- native services --------------------------------------------------------------------------


def register_native(service: Any) -> Callable[[], None]:
    """Host ``service`` (a :class:`~lakelab.emulator.native.NativeService`); returns its unregistering."""
    with _lock:
        _natives[service.name] = service
    return lambda: _natives.pop(service.name, None)


def native(signing_name: str) -> Any | None:
    """The native service requests signed for ``signing_name`` go to, created on first use."""
    if signing_name in _natives:
        return _natives[signing_name]
    for package in extensions():
        declared = getattr(package, "NATIVE_SERVICES", {})
        if signing_name in declared:
            with _lock:
                if signing_name not in _natives:
                    _set_up_once(package)
                    _natives[signing_name] = seam.load(declared[signing_name], package.__name__)()
            return _natives[signing_name]
    return None
