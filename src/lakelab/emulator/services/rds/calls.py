"""How other services reach an RDS instance's server in-process (DMS reads its changes)."""

from __future__ import annotations

from lakelab.emulator.services.rds import instances, postgres

LOCAL_ADDRESSES = ("127.0.0.1", "localhost")


def server_at(address: str, port: int) -> postgres.Server | None:
    """The running server of the emulator's DB instance listening at ``address:port`` (None if none)."""
    if address not in LOCAL_ADDRESSES:
        return None
    return next((server for server in instances.servers() if server.port == int(port) and server.running), None)
