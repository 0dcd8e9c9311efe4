"""Database drivers pointed at the local emulator: what the environment decides, not the learner's code.

A Redshift endpoint on AWS speaks TLS, and AWS's Python driver ``redshift_connector`` insists on it
by default (``ssl=True``, ``sslmode='verify-ca'`` against the CA bundle it ships). The emulator's
endpoints answer PostgreSQL's protocol at 127.0.0.1 without TLS, so on the local target the Setup
cell makes ``redshift_connector.connect`` leave TLS off for a loopback host — and only there, so
the same notebook cell connects with TLS, verified, on a real account. A fidelity note in week 8
says so.
"""

from __future__ import annotations

import functools
from typing import Any

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def without_tls_on_loopback() -> bool:
    """Adapt ``redshift_connector.connect`` (if installed) for the emulator's endpoints; True if adapted."""
    try:
        import redshift_connector
    except ImportError:
        return False
    connect = redshift_connector.connect
    if getattr(connect, "lakelab_local", False):
        return True

    @functools.wraps(connect)
    def local_connect(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("host") in LOOPBACK and "ssl" not in kwargs:
            kwargs["ssl"] = False  # the emulator's endpoint has no TLS (AWS's always does)
        return connect(*args, **kwargs)

    local_connect.lakelab_local = True  # type: ignore[attr-defined]
    redshift_connector.connect = local_connect
    return True
