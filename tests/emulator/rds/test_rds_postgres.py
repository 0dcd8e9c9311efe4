"""RDS for PostgreSQL on the emulator: a real server behind the instance's endpoint."""

from __future__ import annotations

from decimal import Decimal
import time

import psycopg
import pytest
from botocore.exceptions import ClientError

from tests.emulator.rds.conftest import PASSWORD, connect, create_postgres, logical_parameter_group


def test_an_instance_is_a_database_a_learner_writes_to(rds):
    instance = create_postgres(rds)
    assert instance["DBInstanceStatus"] == "available"
    assert instance["Endpoint"]["Address"] == "127.0.0.1"
    assert instance["Engine"] == "postgres" and instance["DBName"] == "shop"
    with connect(instance) as connection:
        connection.execute("CREATE TABLE orders (order_id text PRIMARY KEY, amount numeric(10,2))")
        connection.execute("INSERT INTO orders VALUES ('o-1', 9.61), ('o-2', 12.50)")
        assert connection.execute("SELECT count(*), sum(amount) FROM orders").fetchone() == (2, Decimal("22.11"))
        assert connection.execute("SELECT current_database(), current_user").fetchone() == ("shop", "shop_admin")
        assert connection.execute("SHOW wal_level").fetchone() == ("replica",)
        member_of = {row[0] for row in connection.execute(
            "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = current_user")}
        assert {"rds_superuser", "rds_replication"} <= member_of
        assert connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)


def test_a_wrong_password_is_refused_by_the_server(rds):
    instance = create_postgres(rds)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(instance, password="not-the-password")


def test_two_instances_listen_on_their_own_ports(rds):
    first = create_postgres(rds, "lakelab-one")
    second = create_postgres(rds, "lakelab-two", DBName="other")
    assert first["Endpoint"]["Port"] != second["Endpoint"]["Port"]
    with connect(second) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == ("other",)


def test_logical_replication_from_the_parameter_group_at_create(rds):
    group = logical_parameter_group(rds)
    instance = create_postgres(rds, parameter_group=group)
    with connect(instance) as connection:
        assert connection.execute("SHOW wal_level").fetchone() == ("logical",)
    assert instance["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"


def test_a_static_parameter_changed_later_needs_a_reboot(rds):
    rds.create_db_parameter_group(DBParameterGroupName="lakelab-later", DBParameterGroupFamily="postgres16",
                                  Description="switched on later")
    instance = create_postgres(rds, parameter_group="lakelab-later")
    with connect(instance) as connection:
        connection.execute("CREATE TABLE kept (id int)")
        connection.execute("INSERT INTO kept VALUES (1)")
    rds.modify_db_parameter_group(DBParameterGroupName="lakelab-later", Parameters=[
        {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    described = rds.describe_db_instances(DBInstanceIdentifier="lakelab-shop")["DBInstances"][0]
    assert described["DBParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    with connect(instance) as connection:
        assert connection.execute("SHOW wal_level").fetchone() == ("replica",)
    rds.reboot_db_instance(DBInstanceIdentifier="lakelab-shop")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="lakelab-shop")
    described = rds.describe_db_instances(DBInstanceIdentifier="lakelab-shop")["DBInstances"][0]
    assert described["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"
    assert described["Endpoint"] == instance["Endpoint"]
    with connect(instance) as connection:
        assert connection.execute("SHOW wal_level").fetchone() == ("logical",)
        assert connection.execute("SELECT id FROM kept").fetchall() == [(1,)]  # a reboot keeps the data


def test_delete_stops_the_server_and_removes_its_data(rds):
    from lakelab.emulator.services.rds import instances

    instance = create_postgres(rds)
    (server,) = instances.servers()
    folder = server.folder
    with pytest.raises(ClientError, match="FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot"):
        rds.delete_db_instance(DBInstanceIdentifier="lakelab-shop")
    with pytest.raises(ClientError, match="final snapshot cannot be taken by the local emulator"):
        rds.delete_db_instance(DBInstanceIdentifier="lakelab-shop", FinalDBSnapshotIdentifier="last")
    rds.delete_db_instance(DBInstanceIdentifier="lakelab-shop", SkipFinalSnapshot=True)
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        connect(instance)


def test_stop_and_start_keep_the_data(rds):
    instance = create_postgres(rds)
    with connect(instance) as connection:
        connection.execute("CREATE TABLE t AS SELECT 1 AS id")
    rds.stop_db_instance(DBInstanceIdentifier="lakelab-shop")
    with pytest.raises(psycopg.OperationalError):
        connect(instance)
    rds.start_db_instance(DBInstanceIdentifier="lakelab-shop")
    with connect(instance) as connection:
        assert connection.execute("SELECT id FROM t").fetchall() == [(1,)]


def test_a_new_master_password_is_the_servers(rds):
    instance = create_postgres(rds)
    rds.modify_db_instance(DBInstanceIdentifier="lakelab-shop", MasterUserPassword="another-secret", ApplyImmediately=True)
    with connect(instance, password="another-secret") as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_reset_stops_every_server(emulator, rds):
    from lakelab.emulator.services.rds import instances

    create_postgres(rds)
    (server,) = instances.servers()
    emulator.reset()
    assert instances.servers() == [] and not server.folder.exists() and not server.running


def test_the_server_goes_when_the_emulator_process_goes(tmp_path):
    """A guard whose emulator process died shuts its server down and removes its data."""
    import subprocess
    import sys

    from lakelab.emulator.services.rds import postgres

    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server = postgres.Server("admin_user", PASSWORD, "postgres", postgres.free_port())
    server.create()
    guard = server.process
    server.process = None  # hand the server over to a guard watching the short-lived owner
    subprocess.run([sys.executable, "-c", "pass"])
    guard.terminate()
    guard.wait(30)
    command = [sys.executable, "-m", "lakelab.emulator.services.rds.guard", str(owner.pid), str(server.folder),
               postgres._run_as() or "-", str(postgres.binaries() / "postgres"), "-D", str(server.data)]
    adopted = subprocess.Popen(command)
    server._wait_until_ready()
    owner.kill()
    owner.wait()
    assert adopted.wait(30) == 0
    assert not server.folder.exists()


def test_bad_master_credentials_are_refused(rds):
    with pytest.raises(ClientError, match="MasterUserPassword is not a valid password because it is shorter"):
        rds.create_db_instance(DBInstanceIdentifier="lakelab-bad", Engine="postgres", DBInstanceClass="db.t4g.micro",
                               MasterUsername="shop_admin", MasterUserPassword="short")


def test_no_wheel_for_this_platform_fails_at_once(rds, monkeypatch):
    from lakelab.emulator.services.rds import postgres

    def unavailable():
        raise postgres.Unavailable("PostgreSQL is not available on this machine: no build for this platform")

    monkeypatch.setattr(postgres, "server_version", unavailable)
    began = time.monotonic()
    with pytest.raises(ClientError, match="no build for this platform") as refused:
        create_postgres(rds)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert time.monotonic() - began < 5
    assert rds.describe_db_instances()["DBInstances"] == []
