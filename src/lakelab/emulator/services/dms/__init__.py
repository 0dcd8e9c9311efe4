"""DMS extensions: replication tasks that copy a PostgreSQL database to S3, full load and CDC.

moto's DMS is a control plane with fixed states. Here (``hooks``) endpoints are checked at
create and ``active`` at once; replication instances are ``available`` at once;
``TestConnection`` really connects (PostgreSQL: logs in as the endpoint's user; S3: the bucket
exists) and ``DescribeConnections`` shows ``successful`` or ``failed`` with the reason; a task's
``TableMappings`` are checked at create (``mappings``: selection and transformation rules) and
``StartReplicationTask`` (``start-replication``, ``resume-processing``, ``reload-target``) runs
it on a thread (``runs``): the full load writes ``LOAD00000001.csv`` per table under
``<BucketFolder>/<schema>/<table>/``, CDC reads PostgreSQL's logical decoding (``source``:
a replication slot with ``test_decoding``, the plugin DMS uses on RDS) and writes timestamped
files with ``Op`` I/U/D every ``CdcMaxBatchInterval`` seconds (``target``: DMS's layout and
names, CSV or Parquet, written to S3 as the endpoint's ``ServiceAccessRoleArn``, IAM
evaluated). ``DescribeTableStatistics`` counts full-load rows, inserts, updates and deletes.
The files match ``datasets/dms/`` (``Op``, the ``TimestampColumnName`` column, the table's
columns; no header), so week 2's table reads them.

Bad input fails as DMS fails: an unreachable source or a refused login, a user without
replication rights (superuser, ``REPLICATION``, or ``rds_replication``), ``wal_level`` not
``logical``, or a mapping that selects no table stop the task with ``Status: failed`` and the
reason in ``LastFailureMessage``; a stopped task resumed with ``resume-processing`` continues from
its slot's position, losing no change (the slot advances only past changes written to S3).

Fidelity notes:

> Sources are PostgreSQL only (RDS instances of this emulator, or any PostgreSQL the emulator can
> reach); targets are S3 only. Files are written each ``CdcMaxBatchInterval`` (default 60 s, as on
> AWS); ``CdcMinFileSize`` and ``MaxFileSize`` are not applied (one file per table per batch; one
> full-load file per table). Values are PostgreSQL's text forms (``2024-03-05 14:22:05``, ``9.61``);
> a ``D`` row carries the replica identity's columns (the primary key) and empty others, unless the
> table has ``REPLICA IDENTITY FULL`` -- as DMS with ``test_decoding``; a ``U`` row leaves empty a
> large (TOASTed) value the update did not change, which ``test_decoding`` does not send. Replication instances do no
> work of their own (a task runs on a thread of the emulator); DMS Serverless, selection filters,
> ``add-column`` expressions, LOB settings, validation, premigration assessments,
> ``PreserveTransactions`` and compression are not modelled (refused by name where they are
> settings). Error messages follow DMS's shapes; their exact wording is unverified.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("dms",)

PATCHES = (
    Patch("DMSBackend", "create_endpoint", wrap=".hooks:checks_the_endpoint",
          why="S3 and PostgreSQL endpoint settings are checked at create; endpoints are active at once"),
    Patch("DMSBackend", "create_replication_instance", wrap=".hooks:available_at_once",
          why="a replication instance is available at once (a task runs on a thread of the emulator)"),
    Patch("DMSBackend", "test_connection", wrap=".hooks:tests_for_real",
          why="TestConnection connects to the source database or finds the bucket; moto always succeeds"),
    Patch("DMSBackend", "create_replication_task", wrap=".hooks:checks_the_task",
          why="table mappings and the migration type are checked at create; a new task is ready"),
    Patch("DMSResponse", "start_replication_task", value=".hooks:start_replication_task",
          why="a started task runs (full load, CDC) as its StartReplicationTaskType says; moto flips a status"),
    Patch("DMSBackend", "stop_replication_task", wrap=".hooks:stops_the_run",
          why="a stopped task's thread stops after writing what it read; its slot keeps the position"),
    Patch("DMSBackend", "delete_replication_task", wrap=".hooks:deletes_the_run",
          why="a deleted task's replication slot is dropped"),
    Patch("DMSReplicationTask", "to_dict", wrap=".hooks:reports_the_run",
          why="a task's status, stop reason, failure message and statistics are its run's"),
    Patch("DMSResponse", "describe_table_statistics", value=".hooks:describe_table_statistics", adds=True,
          why="DescribeTableStatistics: moto lacks it"),
    Patch("DMSResponse", "modify_endpoint", value=".hooks:modify_endpoint", adds=True,
          why="ModifyEndpoint (settings merged unless ExactSettings): moto lacks it, so create-or-update cells failed"),
    Patch("DMSResponse", "add_tags_to_resource", value=".hooks:add_tags_to_resource", adds=True,
          why="AddTagsToResource: moto lacks it"),
    Patch("DMSResponse", "remove_tags_from_resource", value=".hooks:remove_tags_from_resource", adds=True,
          why="RemoveTagsFromResource: moto lacks it"),
)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.dms import hooks

    registry.on_reset(hooks.stop_all)
    atexit.register(hooks.stop_all)
