"""The hooks around moto's RDS backend that give a ``postgres`` DB instance a real server.

moto keeps every instance's configuration; for ``Engine='postgres'`` (not in a cluster) each hook
also acts on the instance's :class:`~.postgres.Server`: created with the instance, its static
parameters (``rds.logical_replication``) applied at create and at every reboot, stopped and started
with the instance, removed with it. Other engines stay moto's control plane.
"""

from __future__ import annotations

import threading
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.rds import postgres

_servers: dict[tuple[str, str, str], postgres.Server] = {}  # (account, region, identifier) -> server
_lock = threading.RLock()
_TRUE = ("1", "on", "true", "yes")


def _key(backend: Any, identifier: str) -> tuple[str, str, str]:
    return backend.account_id, backend.region_name, identifier


def server_of(database: Any) -> postgres.Server | None:
    """The server of moto's ``DBInstance`` (None for instances that have none)."""
    return _servers.get(_key(database.backend, database.db_instance_identifier))


def servers() -> list[postgres.Server]:
    with _lock:
        return list(_servers.values())


def _runs_postgres(db_kwargs: dict[str, Any]) -> bool:
    return str(db_kwargs.get("engine", "")).lower() == "postgres" and not db_kwargs.get("db_cluster_identifier")


def _invalid(message: str) -> Exception:
    return seam.resolve("RDSInvalidParameterValue")(message)


def logical_replication_wanted(database: Any) -> bool:
    """Whether the instance's parameter group sets ``rds.logical_replication`` to 1."""
    for group in database.db_parameter_groups():
        value = group.parameters.get("rds.logical_replication", {}).get("ParameterValue")
        if value is not None:
            return str(value).lower() in _TRUE
    return False


# --- CreateDBInstance ------------------------------------------------------------------------


def creates_a_server(create: Any) -> Any:
    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        if not _runs_postgres(db_kwargs):
            return create(self, db_kwargs)
        try:
            version = postgres.server_version()
        except postgres.Unavailable as error:  # no wheel here: say so, never hang
            raise _invalid(str(error)) from None
        _check_master_credentials(db_kwargs)
        db_kwargs.setdefault("engine_version", version)
        if db_kwargs.get("engine_version") is None:
            db_kwargs["engine_version"] = version
        requested = db_kwargs.get("port")
        port = int(requested) if requested and postgres.port_is_free(int(requested)) else postgres.free_port()
        db_kwargs["port"] = port
        database = create(self, db_kwargs)
        server = postgres.Server(db_kwargs["master_username"], db_kwargs["master_user_password"],
                                 db_kwargs.get("db_name") or "postgres", port,
                                 logical_replication=logical_replication_wanted(database))
        try:
            server.create()
        except postgres.Unavailable as error:
            server.remove()
            self.databases.pop(database.db_instance_identifier, None)
            raise _invalid(f"The DB instance could not be created: {error}") from None
        with _lock:
            _servers[_key(self, database.db_instance_identifier)] = server
        database.status = "available"
        return database

    return create_db_instance


def _check_master_credentials(db_kwargs: dict[str, Any]) -> None:
    if db_kwargs.get("manage_master_user_password"):
        raise _invalid("ManageMasterUserPassword is not supported by the local emulator's PostgreSQL instances: "
                       "pass MasterUserPassword")
    if not db_kwargs.get("master_username"):
        raise _invalid("The parameter MasterUsername must be provided and must not be blank.")
    password = db_kwargs.get("master_user_password")
    if not password:
        raise _invalid("The parameter MasterUserPassword must be provided and must not be blank.")
    if len(password) < 8:  # RDS for PostgreSQL: 8 to 128 printable ASCII characters except / ' " @ and space
        raise _invalid("The parameter MasterUserPassword is not a valid password because it is shorter than 8 "
                       "characters.")
    if any(character in password for character in "/'\"@ "):
        raise _invalid("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters "
                       "besides '/', '@', '\"', ' ' may be used.")


# --- reboot, modify, stop, start, delete -----------------------------------------------------


def reboots_the_server(reboot: Any) -> Any:
    def reboot_db_instance(self: Any, db_instance_identifier: str) -> Any:
        database = reboot(self, db_instance_identifier)
        server = server_of(database)
        if server is not None:
            if database.status == "stopped":
                raise seam.resolve("RDSInvalidDBInstanceStateError")(db_instance_identifier, "reboot")
            server.restart(logical_replication_wanted(database))  # static parameters apply now
        return database

    return reboot_db_instance


def modifies_the_server(modify: Any) -> Any:
    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        database = modify(self, db_instance_identifier, db_kwargs)
        server = server_of(database)
        password = db_kwargs.get("master_user_password") or db_kwargs.get("MasterUserPassword")
        if server is not None and password and server.running:
            from psycopg import sql

            with server.admin("postgres") as connection:
                connection.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(server.master_user), sql.Literal(password)))
            server.master_password = password
        return database

    return modify_db_instance


def stops_the_server(stop: Any) -> Any:
    def stop_db_instance(self: Any, db_instance_identifier: str, db_snapshot_identifier: str | None = None) -> Any:
        database = stop(self, db_instance_identifier, db_snapshot_identifier)
        server = server_of(database)
        if server is not None:
            server.stop()
        return database

    return stop_db_instance


def starts_the_server(start: Any) -> Any:
    def start_db_instance(self: Any, db_instance_identifier: str) -> Any:
        database = start(self, db_instance_identifier)
        server = server_of(database)
        if server is not None:
            server.restart(logical_replication_wanted(database))
        return database

    return start_db_instance


def removes_the_server(delete: Any) -> Any:
    def delete_db_instance(self: Any, db_instance_identifier: str, final_db_snapshot_identifier: str | None = None,
                           skip_final_snapshot: bool | None = False, **kwargs: Any) -> Any:
        key = _key(self, db_instance_identifier)
        if key in _servers:
            if not skip_final_snapshot and not final_db_snapshot_identifier:
                raise seam.resolve("RDSInvalidParameterCombination")(
                    "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
            if final_db_snapshot_identifier and not skip_final_snapshot:
                raise _invalid("A final snapshot cannot be taken by the local emulator (its PostgreSQL instances keep "
                               "no snapshots): delete with SkipFinalSnapshot=True")
        database = delete(self, db_instance_identifier, final_db_snapshot_identifier, skip_final_snapshot, **kwargs)
        with _lock:
            server = _servers.pop(key, None)
        if server is not None:
            server.remove()
        return database

    return delete_db_instance


# --- what DescribeDBInstances shows ------------------------------------------------------------


def local_address(address: Any) -> Any:
    """``Endpoint.Address`` is 127.0.0.1 for an instance with a real server."""

    def read(database: Any) -> str:
        return "127.0.0.1" if server_of(database) is not None else address.fget(database)

    return property(read)


def apply_status(status_list: Any) -> Any:
    """``DBParameterGroups[].ParameterApplyStatus``: pending-reboot until a reboot applies a static change."""

    def read(database: Any) -> Any:
        groups = status_list.fget(database)
        server = server_of(database)
        if server is not None and logical_replication_wanted(database) != server.logical_replication:
            for group in groups:
                group.ParameterApplyStatus = "pending-reboot"
        return groups

    return property(read)


def remove_all() -> None:
    """Stop every server and remove its data (an emulator reset, the process exiting)."""
    with _lock:
        found = list(_servers.values())
        _servers.clear()
    for server in found:
        server.remove()
