"""Clients other than AWS's driver reach a workgroup's Endpoint: psycopg (PostgreSQL's protocol as libpq speaks it,
like desktop BI tools' PostgreSQL connectors), with the admin password or GetCredentials' temporary user.
SQLAlchemy is not tried: the lock's SQLAlchemy 1.4 (Airflow's pin) has no psycopg 3 dialect."""

from __future__ import annotations

import psycopg
import pytest

from redshift_helpers import BUCKET, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)

WORKGROUP = "clients-wg"


@pytest.fixture
def workgroup(emulator, client, warehouse_role: str) -> Redshift:
    serverless = client("redshift-serverless")
    serverless.create_namespace(namespaceName="clients-ns", adminUsername="admin", adminUserPassword="Admin-Passw0rd",
                                dbName="dev", iamRoles=[warehouse_role], defaultIamRoleArn=warehouse_role)
    serverless.create_workgroup(workgroupName=WORKGROUP, namespaceName="clients-ns", baseCapacity=8)
    client("s3").create_bucket(Bucket=BUCKET)
    return Redshift(client, WorkgroupName=WORKGROUP)


def _endpoint(client) -> dict:
    return client("redshift-serverless").get_workgroup(workgroupName=WORKGROUP)["workgroup"]["endpoint"]


def test_psycopg_reads_what_the_data_api_wrote(workgroup: Redshift, client) -> None:
    workgroup.ok("CREATE TABLE sales (country VARCHAR(2), amount DECIMAL(10,2)) DISTSTYLE ALL")
    workgroup.ok("INSERT INTO sales VALUES ('DE', 10.50), ('DE', 4.25), ('FR', 7.00)")
    endpoint = _endpoint(client)
    # sslmode=prefer (libpq's default) asks for TLS, is told no, and goes on in the clear: the emulator's
    # endpoint has no TLS (AWS's always has it)
    with psycopg.connect(host=endpoint["address"], port=endpoint["port"], dbname="dev", user="admin",
                         password="Admin-Passw0rd", sslmode="prefer") as connection:
        rows = connection.execute("SELECT country, SUM(amount) FROM sales GROUP BY country ORDER BY country").fetchall()
    assert [(country, float(total)) for country, total in rows] == [("DE", 14.75), ("FR", 7.0)]


def test_psycopg_with_temporary_credentials_and_a_wrong_password(workgroup: Redshift, client) -> None:
    endpoint = _endpoint(client)
    credentials = client("redshift-serverless").get_credentials(workgroupName=WORKGROUP, dbName="dev")
    with psycopg.connect(host=endpoint["address"], port=endpoint["port"], dbname="dev", user=credentials["dbUser"],
                         password=credentials["dbPassword"], sslmode="disable") as connection:
        assert connection.execute("SELECT 1 + 1").fetchone() == (2,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=endpoint["address"], port=endpoint["port"], dbname="dev", user="admin",
                        password="not-it", sslmode="disable")


def test_a_client_that_requires_tls_is_refused_not_left_hanging(workgroup: Redshift, client) -> None:
    endpoint = _endpoint(client)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=endpoint["address"], port=endpoint["port"], dbname="dev", user="admin",
                        password="Admin-Passw0rd", sslmode="require", connect_timeout=10)
