"""Redshift Serverless keeps its namespaces' and workgroups' tags, and UpdateNamespace's IAM roles reach
COPY and UNLOAD sent to the workgroup's Endpoint."""

from __future__ import annotations

import pytest
import redshift_connector
from botocore.exceptions import ClientError

from redshift_helpers import BUCKET, warehouse_role  # noqa: F401 (fixtures)

COURSE_TAGS = [{"key": "course", "value": "lakelab"}, {"key": "week", "value": "08"}]


def _tags(serverless, arn: str) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in serverless.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_namespaces_and_workgroups_keep_their_tags(emulator, client) -> None:
    serverless = client("redshift-serverless")
    namespace = serverless.create_namespace(namespaceName="warehouse", tags=COURSE_TAGS)["namespace"]["namespaceArn"]
    workgroup = serverless.create_workgroup(workgroupName="warehouse", namespaceName="warehouse", baseCapacity=8,
                                            tags=COURSE_TAGS[:1])["workgroup"]["workgroupArn"]
    assert _tags(serverless, namespace) == {"course": "lakelab", "week": "08"}
    assert _tags(serverless, workgroup) == {"course": "lakelab"}
    assert serverless.tag_resource(resourceArn=workgroup, tags=[{"key": "week", "value": "8"},
                                                                {"key": "course", "value": "other"}])
    serverless.untag_resource(resourceArn=namespace, tagKeys=["week", "never-there"])
    assert _tags(serverless, workgroup) == {"course": "other", "week": "8"}  # a key it had takes the new value
    assert _tags(serverless, namespace) == {"course": "lakelab"}
    serverless.create_namespace(namespaceName="untagged")
    assert serverless.list_tags_for_resource(resourceArn=serverless.get_namespace(namespaceName="untagged")[
        "namespace"]["namespaceArn"])["tags"] == []


def test_an_unknown_resource_and_too_many_tags_are_refused(emulator, client) -> None:
    serverless = client("redshift-serverless")
    namespace = serverless.create_namespace(namespaceName="warehouse")["namespace"]["namespaceArn"]
    gone = namespace.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    with pytest.raises(serverless.exceptions.ResourceNotFoundException) as missing:
        serverless.list_tags_for_resource(resourceArn=gone)
    assert missing.value.response["resourceName"] == gone
    with pytest.raises(serverless.exceptions.TooManyTagsException):
        serverless.tag_resource(resourceArn=namespace, tags=[{"key": f"k{n}", "value": ""} for n in range(51)])
    assert serverless.list_tags_for_resource(resourceArn=namespace)["tags"] == []
    with pytest.raises(serverless.exceptions.TooManyTagsException):
        serverless.create_workgroup(workgroupName="crowded", namespaceName="warehouse",
                                    tags=[{"key": f"k{n}", "value": "v"} for n in range(51)])
    assert serverless.list_workgroups()["workgroups"] == []


def _run(connection, sql: str) -> None:
    cursor = connection.cursor()
    cursor.execute(sql)
    connection.commit()


def test_update_namespace_gives_the_endpoints_copy_and_unload_its_roles(emulator, client, warehouse_role) -> None:
    s3, serverless = client("s3"), client("redshift-serverless")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="raw/orders.csv", Body=b"1,10.5\n2,20.0\n")
    serverless.create_namespace(namespaceName="warehouse", adminUsername="admin", adminUserPassword="Admin-Passw0rd")
    endpoint = serverless.create_workgroup(workgroupName="warehouse", namespaceName="warehouse",
                                           baseCapacity=8)["workgroup"]["endpoint"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user="admin", password="Admin-Passw0rd", ssl=False)
    _run(connection, "CREATE TABLE orders (id INT, amount DECIMAL(10, 2))")
    copy = f"COPY orders FROM 's3://{BUCKET}/raw/orders.csv' IAM_ROLE default CSV"
    with pytest.raises(redshift_connector.ProgrammingError, match="Default IAM role is not set"):
        _run(connection, copy)
    connection.rollback()

    serverless.update_namespace(namespaceName="warehouse", iamRoles=[warehouse_role], defaultIamRoleArn=warehouse_role)
    _run(connection, copy)  # the same session: the next statement sees the namespace's roles
    _run(connection, f"UNLOAD ('SELECT * FROM orders') TO 's3://{BUCKET}/exports/orders_' IAM_ROLE '{warehouse_role}'")
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="exports/")["KeyCount"] >= 1
    cursor = connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM orders")
    assert cursor.fetchone()[0] == 2

    serverless.update_namespace(namespaceName="warehouse", iamRoles=[])
    with pytest.raises(redshift_connector.ProgrammingError, match="is not authorized to assume IAM Role"):
        _run(connection, f"UNLOAD ('SELECT 1') TO 's3://{BUCKET}/again/' IAM_ROLE '{warehouse_role}'")
    connection.close()
    with pytest.raises(ClientError):
        serverless.delete_namespace(namespaceName="warehouse")  # its workgroup is still there
