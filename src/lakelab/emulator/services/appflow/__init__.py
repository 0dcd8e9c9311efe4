"""Amazon AppFlow, which moto lacks: a native service (REST/JSON, signing name ``appflow``).

- ``api``: the operations -- connector profiles (Create/Describe/Update/Delete), the CRM's objects
  and fields (ListConnectorEntities, DescribeConnectorEntity, in ``entities``), flows
  (Create/Describe/Update/Delete/List, StartFlow, StopFlow, DescribeFlowExecutionRecords), tags
  (TagResource, UntagResource, ListTagsForResource) -- and the kit's route to edit a CRM record.
- ``profiles``: Salesforce connector profiles; OAuth credentials taken and never answered back.
- ``flows``: what CreateFlow/UpdateFlow check (trigger, source, destination bucket and its policy,
  tasks) and the flow states (Draft, Active, Suspended).
- ``schedules``: ``rate(...)`` and ``cron(...)`` expressions and the clock that runs Active flows.
- ``runs``: one run (read, tasks, write; incremental pulls by ``LastModifiedDate``) and its record.
- ``sources`` (S3 CSV/JSON Lines; the CRM), ``tasks`` (Filter, Map, Map_all), ``destinations``
  (S3 layout, CSV/JSON/Parquet, aggregation), ``bucket_access`` (the bucket policy AppFlow needs),
  ``crm`` (the seeded CRM behind the Salesforce connector).

Fidelity notes:

> The Salesforce connector reads a seeded dataset shipped with the course (``datasets/crm/``: objects
> ``Account`` and ``Opportunity``, Salesforce's field names and datetime format), not Salesforce: no
> OAuth exchange happens and any token is accepted; other objects are refused; records are edited
> with the kit's ``lakelab.lab.crm.edit_record`` (which stamps ``LastModifiedDate``), not in a
> Salesforce UI. Sources are S3 and Salesforce and the destination is S3 only; ``Event`` triggers,
> other connectors and task types other than Filter, Map and Map_all are refused by name. A
> scheduled flow runs first when activated (AppFlow picks its own first moment), then on its
> schedule (``flowErrorDeactivationThreshold`` failures in a row suspend it); deleted records
> (``includeDeletedRecords``) and the Bulk API are not modelled; an S3 source is read whole at every
> run. A ``rate`` minute lasts 60 s, except in the course's own test runs, which set
> ``LAKELAB_SCHEDULE_MINUTE_SECONDS`` to a few seconds (``schedules.minute_seconds``). The kit's edit route is not an AWS operation: any signed caller may use it (no IAM action). Destination file names and the exact folder spelling of ``prefixConfig`` are this
> emulator's (AppFlow's documentation names the parts, not the spelling). Registering the output in
> the Glue Data Catalog (``metadataCatalogConfig``) is refused by name. Error messages AWS does not
> document are worded here and marked "unverified" where raised.
"""

from __future__ import annotations

NATIVE_SERVICES = {"appflow": ".api:Service"}


def install() -> None:
    """The schedule clock stops at interpreter exit (reset stops it through the service)."""
    import atexit

    from lakelab.emulator.services.appflow import api

    atexit.register(api.clock.stop)
