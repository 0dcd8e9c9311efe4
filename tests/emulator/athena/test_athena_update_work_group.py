"""UpdateWorkGroup (moto has none): configuration updates applied, what the request leaves out kept."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_update_work_group_applies_the_updates_and_keeps_the_rest(client):
    athena = client("athena")
    athena.create_work_group(Name="etl", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://lake/results/"}, "EnforceWorkGroupConfiguration": True})
    athena.update_work_group(WorkGroup="etl", Description="week 4", ConfigurationUpdates={
        "BytesScannedCutoffPerQuery": 1_000_000_000, "ResultConfigurationUpdates": {"OutputLocation": "s3://lake/r2/"}})
    workgroup = athena.get_work_group(WorkGroup="etl")["WorkGroup"]
    configuration = workgroup["Configuration"]
    assert configuration["ResultConfiguration"]["OutputLocation"] == "s3://lake/r2/"
    assert configuration["BytesScannedCutoffPerQuery"] == 1_000_000_000
    assert configuration["EnforceWorkGroupConfiguration"] is True and workgroup["Description"] == "week 4"
    athena.update_work_group(WorkGroup="etl", ConfigurationUpdates={"RemoveBytesScannedCutoffPerQuery": True})
    assert "BytesScannedCutoffPerQuery" not in athena.get_work_group(WorkGroup="etl")["WorkGroup"]["Configuration"]


def test_update_work_group_of_an_unknown_workgroup_is_refused(client):
    with pytest.raises(ClientError) as raised:
        client("athena").update_work_group(WorkGroup="nope", Description="x")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
