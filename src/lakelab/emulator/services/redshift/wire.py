"""A cluster's or workgroup's Endpoint answers PostgreSQL's wire protocol, as Redshift's does.

The protocol is served by Buena Vista (``buenavista``, Apache 2.0: a socketserver implementation of
PostgreSQL's v3 protocol with MD5 password authentication and the extended query protocol); what
each statement does is this package's (``wire_sessions``: Redshift SQL on the shared engine through
``commands``, as through the Data API). Each cluster or workgroup listens on 127.0.0.1 at a port of
its own, which its ``Endpoint`` reports, so ``redshift_connector`` (tested) and other PostgreSQL
clients connect with the master user and password (or temporary credentials from
GetClusterCredentials / GetCredentials); a wrong password is refused (``Invalid password``, 28P01).

Fidelity notes: no TLS (connect with ``ssl=False`` / ``sslmode=disable``); every column is sent in
text format with PostgreSQL type OIDs (``varchar`` as ``text``...); errors carry a SQLSTATE mapped
from a few messages (others are XX000); cancel requests close the session. The Endpoint's address
is 127.0.0.1, where a real one is a DNS name.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.redshift import dialect, wire_sessions
from lakelab.emulator.services.redshift.targets import Target

log = logging.getLogger("lakelab.emulator.services.redshift.wire")
# Buena Vista logs every refused login and client error with its traceback: they are the client's, not ours.
logging.getLogger("buenavista").setLevel(logging.CRITICAL)
HOST = "127.0.0.1"

_servers: dict[tuple[str, str, str], Any] = {}
_lock = threading.RLock()


class Passwords(dict):  # type: ignore[type-arg]
    """Users and passwords a server accepts: the admin's, and temporary credentials until they expire."""

    def __init__(self) -> None:
        super().__init__()
        self.expiring: dict[str, tuple[str, float]] = {}

    def __getitem__(self, user: str) -> str:
        if user in self.expiring:
            password, until = self.expiring[user]
            if until > time.time():
                return password
        return super().__getitem__(user)

    def __contains__(self, user: object) -> bool:
        return isinstance(user, str) and (user in self.expiring or dict.__contains__(self, user))


def _classes() -> tuple[Any, Any, Any, Any, Any]:
    from buenavista.core import BVType, Connection, QueryResult, Session
    from buenavista.postgres import BuenaVistaServer

    return BVType, Connection, QueryResult, Session, BuenaVistaServer


def _sqlstate(message: str) -> str:
    for pattern, state in (("Invalid password", "28P01"), ("syntax error", "42601"),
                           ("relation .* does not exist", "42P01"), ("column .* does not exist", "42703"),
                           ("already exists", "42P07"), ("does not exist", "3D000"), ("not supported", "0A000")):
        if re.search(pattern, message):
            return state
    return "XX000"


def _server_class() -> Any:
    BuenaVistaServer = _classes()[4]
    from buenavista.postgres import BuenaVistaHandler

    from buenavista.postgres import BVBuffer, ServerResponse

    class Handler(BuenaVistaHandler):  # type: ignore[misc, valid-type]
        def send_error(self, exception: Any, ctx: Any = None) -> None:
            """An ErrorResponse with severity and SQLSTATE, which PostgreSQL clients require."""
            import struct

            message = str(exception)
            message = message[len("ERROR: "):] if message.startswith("ERROR: ") else message
            buffer = BVBuffer()
            for code, value in (("S", "ERROR"), ("V", "ERROR"), ("C", _sqlstate(message)), ("M", message)):
                buffer.write_byte(code.encode())
                buffer.write_string(value)
            buffer.write_byte(b"\x00")
            out = buffer.get_value()
            self.wfile.write(struct.pack("!ci", ServerResponse.ERROR_RESPONSE, len(out) + 4) + out)
            if ctx:
                ctx.mark_error()

        def handle_parse(self, ctx: Any, payload: bytes) -> None:
            """The extended protocol prepares one statement, as PostgreSQL's does (Redshift: 42601)."""
            sql = payload[payload.index(b"\x00") + 1:].split(b"\x00", 1)[0].decode("utf-8")
            if len(dialect.split(sql)) > 1:
                self.send_error(dialect.error("cannot insert multiple commands into a prepared statement"), ctx)
                return
            super().handle_parse(ctx, payload)

        def handle_bind(self, ctx: Any, payload: bytes) -> None:
            if not ctx.has_error:  # after an error, PostgreSQL skips messages until Sync
                super().handle_bind(ctx, payload)

        def handle_describe(self, ctx: Any, payload: bytes) -> None:
            """Describing a statement runs nothing (a DDL or DML statement must run once, at Execute)."""
            import struct

            if ctx.has_error:
                return
            kind, name = payload[0], payload[1:-1].decode("utf-8")
            try:
                if kind == ord("S"):
                    sql, parameter_types = ctx.stmts[name]
                    found = ctx.session.describe_sql(sql)
                    self.send_paramter_description(parameter_types)
                else:
                    found = ctx.describe_portal(name)
            except Exception as failure:
                self.send_error(failure, ctx)
                return
            if found is not None and found.has_results():
                self.send_row_description(found)
            else:
                self.wfile.write(struct.pack("!ci", ServerResponse.NO_DATA, 4))

        def handle_post_auth(self, ctx: Any) -> None:
            try:
                ctx.session.open(ctx.params.get("database", "dev").lower(), ctx.params.get("user", ""))
            except Exception as refused:
                self.send_error(refused)
                raise
            super().handle_post_auth(ctx)

    class Server(BuenaVistaServer):  # type: ignore[misc, valid-type]
        daemon_threads = True

        def __init__(self, connection: Any, passwords: Passwords) -> None:
            import socketserver

            socketserver.ThreadingTCPServer.__init__(self, (HOST, 0), Handler)
            self.conn, self.rewriter, self.extensions, self.ctxts, self.auth = connection, None, {}, {}, passwords

    return Server


def start(target: Target, user: str, password: str) -> int:
    """Serve ``target``'s Endpoint; the port it listens on."""
    key = (target.account_id, target.region, target.key)
    with _lock:
        if key in _servers:
            return int(_servers[key].server_address[1])
        passwords = Passwords()
        passwords[user] = password
        server = _server_class()(wire_sessions.connection(target, context.current()), passwords)
        threading.Thread(target=server.serve_forever, name=f"lakelab-redshift-{target.name}", daemon=True).start()
        _servers[key] = server
        return int(server.server_address[1])


def allow(target: Target, user: str, password: str, until: float) -> None:
    """Temporary credentials (GetClusterCredentials, GetCredentials) the Endpoint accepts until ``until``."""
    with _lock:
        server = _servers.get((target.account_id, target.region, target.key))
    if server is not None:
        server.auth.expiring[user] = (password, until)


def serving(account_id: str, region: str, target_key: str) -> bool:
    return (account_id, region, target_key) in _servers


def stop(account_id: str, region: str, target_key: str) -> None:
    with _lock:
        server = _servers.pop((account_id, region, target_key), None)
    if server is not None:
        server.shutdown()
        server.server_close()


def stop_all() -> None:
    for key in list(_servers):
        stop(*key)
