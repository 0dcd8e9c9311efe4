"""One sweeper per kind of resource: list the course-prefixed ones with their tags and a remover.

Each sweeper yields ``(name, tags, remove)``; teardown keeps only those whose tags say the course
made them, so a resource that merely shares the prefix is never touched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import boto3
from botocore.exceptions import ClientError

Found = Iterator[tuple[str, dict[str, str], Callable[[], str]]]
LAMBDA_LOG_GROUP = "/aws/lambda/"  # Lambda writes a function's logs to /aws/lambda/<function name>


def _tag_dict(tags: list[dict[str, str]]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags}


def buckets(prefix: str) -> Found:
    s3 = boto3.client("s3")
    for bucket in sorted(b["Name"] for b in s3.list_buckets().get("Buckets", [])):
        if bucket.startswith(prefix):
            try:
                tags = _tag_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
            except ClientError:
                tags = {}
            yield bucket, tags, lambda b=bucket: empty_and_delete_bucket(s3, b)


def empty_and_delete_bucket(s3, bucket: str) -> str:
    """A versioned bucket only deletes once every version and delete marker is gone. A writer that
    just stopped (a trail's last log file, a delivery stream's last flush) may still land an object
    while the bucket is emptied: then it is emptied again, a few times at most."""
    removed = 0
    for attempt in range(4):
        try:
            removed += _empty_and_delete(s3, bucket)
            return f"{removed} object version(s)"
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "BucketNotEmpty" or attempt == 3:
                raise
            time.sleep(2)
    return f"{removed} object version(s)"


def _empty_and_delete(s3, bucket: str) -> int:
    # List everything first: deleting while paginating would move the pagination markers.
    versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    for start in range(0, len(versions), 1000):
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions[start:start + 1000], "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise RuntimeError(f"could not empty {bucket}: {first['Key']}: {first['Message']}")
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=bucket)
    return len(versions)


def queues(prefix: str) -> Found:
    sqs = boto3.client("sqs")
    for url in sorted(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])):
        tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        yield url.rsplit("/", 1)[-1], tags, lambda u=url: _quietly(sqs.delete_queue, QueueUrl=u)


def crawlers(prefix: str) -> Found:
    glue = boto3.client("glue")
    names = _every(glue.list_crawlers, "CrawlerNames")
    for name in sorted(n for n in names if n.startswith(prefix)):
        tags = glue.get_tags(ResourceArn=_glue_arn("crawler", name)).get("Tags", {})
        yield name, tags, lambda n=name: _delete_crawler(glue, n)


def _delete_crawler(glue, name: str) -> str:
    if glue.get_crawler(Name=name)["Crawler"]["State"] == "RUNNING":
        glue.stop_crawler(Name=name)
    return _quietly(glue.delete_crawler, Name=name)


def databases(prefix: str) -> Found:
    glue = boto3.client("glue")
    glue_prefix = prefix.replace("-", "_")
    listed = [d["Name"] for page in glue.get_paginator("get_databases").paginate() for d in page["DatabaseList"]]
    for name in sorted(n for n in listed if n.startswith(glue_prefix)):
        tags = glue.get_tags(ResourceArn=_glue_arn("database", name)).get("Tags", {})
        yield name, tags, lambda n=name: _delete_database(glue, n)


def _delete_database(glue, name: str) -> str:
    tables = [t["Name"] for page in glue.get_paginator("get_tables").paginate(DatabaseName=name)
              for t in page["TableList"]]
    glue.delete_database(Name=name)  # deletes its tables and partitions with it
    return f"{len(tables)} table(s)"


def workgroups(prefix: str) -> Found:
    athena = boto3.client("athena")
    listed = [w["Name"] for w in _every(athena.list_work_groups, "WorkGroups")]
    for name in sorted(n for n in listed if n.startswith(prefix)):
        arn = f"arn:aws:athena:{athena.meta.region_name}:{_account()}:workgroup/{name}"
        tags = _tag_dict(athena.list_tags_for_resource(ResourceARN=arn).get("Tags", []))
        yield name, tags, lambda n=name: _quietly(athena.delete_work_group, WorkGroup=n, RecursiveDeleteOption=True)


def roles(prefix: str) -> Found:
    iam = boto3.client("iam")
    listed = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
    for name in sorted(n for n in listed if n.startswith(prefix)):
        tags = _tag_dict(iam.list_role_tags(RoleName=name).get("Tags", []))
        yield name, tags, lambda n=name: _delete_role(iam, n)


def _delete_role(iam, name: str) -> str:
    """A role deletes only once its policies are detached and its inline policies gone."""
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    iam.delete_role(RoleName=name)
    return ""


def functions(prefix: str) -> Found:
    aws_lambda = boto3.client("lambda")
    pages = aws_lambda.get_paginator("list_functions").paginate()
    listed = [function["FunctionName"] for page in pages for function in page["Functions"]]
    for name in sorted(n for n in listed if n.startswith(prefix)):
        yield name, _function_tags(aws_lambda, name), lambda n=name: _delete_function(aws_lambda, n)


def _function_tags(aws_lambda, name: str) -> dict[str, str]:
    try:
        return aws_lambda.get_function(FunctionName=name).get("Tags", {})
    except aws_lambda.exceptions.ResourceNotFoundException:
        return {}


def _delete_function(aws_lambda, name: str) -> str:
    """Its event source mappings first: on AWS they outlive the function and keep polling."""
    pages = aws_lambda.get_paginator("list_event_source_mappings").paginate(FunctionName=name)
    mappings = [mapping["UUID"] for page in pages for mapping in page["EventSourceMappings"]]
    for uuid in mappings:
        aws_lambda.delete_event_source_mapping(UUID=uuid)
    aws_lambda.delete_function(FunctionName=name)
    return f"{len(mappings)} event source mapping(s)"


def log_groups(prefix: str) -> Found:
    """Lambda creates ``/aws/lambda/<function>`` on the first run, untagged: such a group carries its
    function's tags here, so it goes exactly when its function does. A group the learner created
    with course tags is judged by its own; an untagged group whose function is gone is left alone."""
    logs, aws_lambda = boto3.client("logs"), boto3.client("lambda")
    group_prefix = f"{LAMBDA_LOG_GROUP}{prefix}"
    listed = {g["logGroupName"]: g["logGroupArn"] for page in logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=group_prefix) for g in page["logGroups"]}
    for name, arn in sorted(listed.items()):
        yield name, log_group_tags(logs, aws_lambda, name, arn), lambda n=name: _delete_log_group(logs, n)


def log_group_tags(logs, aws_lambda, name: str, arn: str | None = None) -> dict[str, str]:
    """A log group's own tags if they are the course's, else (a Lambda function's group) its function's."""
    if arn is None:
        pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
        arn = next((g["logGroupArn"] for page in pages for g in page["logGroups"] if g["logGroupName"] == name), None)
    tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {}) if arn else {}
    if "course" not in tags and name.startswith(LAMBDA_LOG_GROUP):
        tags = _function_tags(aws_lambda, name[len(LAMBDA_LOG_GROUP):])
    return tags


def _delete_log_group(logs, name: str) -> str:
    streams = [s for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=name)
               for s in page["logStreams"]]
    logs.delete_log_group(logGroupName=name)
    return f"{len(streams)} log stream(s)"


def triggers(prefix: str) -> Found:
    glue = boto3.client("glue")
    for name in sorted(n for n in _every(glue.list_triggers, "TriggerNames") if n.startswith(prefix)):
        tags = glue.get_tags(ResourceArn=_glue_arn("trigger", name)).get("Tags", {})
        yield name, tags, lambda n=name: _quietly(glue.delete_trigger, Name=n)


ACTIVE_JOB_RUN_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")


def jobs(prefix: str) -> Found:
    glue = boto3.client("glue")
    for name in sorted(n for n in _every(glue.list_jobs, "JobNames") if n.startswith(prefix)):
        tags = glue.get_tags(ResourceArn=_glue_arn("job", name)).get("Tags", {})
        yield name, tags, lambda n=name: _delete_job(glue, n)


def _delete_job(glue, name: str) -> str:
    """Stop the job's runs first: stopping a run takes its job's name, so a run outliving its job could not be."""
    active = _active_job_runs(glue, name)
    for start in range(0, len(active), 25):  # BatchStopJobRun takes 25 runs at a time
        glue.batch_stop_job_run(JobName=name, JobRunIds=active[start:start + 25])
    _wait_until(lambda: not _active_job_runs(glue, name), seconds=120)
    glue.delete_job(JobName=name)
    return f"{len(active)} run(s) stopped"


def _active_job_runs(glue, name: str) -> list[str]:
    pages = glue.get_paginator("get_job_runs").paginate(JobName=name)
    return [run["Id"] for page in pages for run in page["JobRuns"] if run["JobRunState"] in ACTIVE_JOB_RUN_STATES]


# A deleted application is listed as TERMINATED for a while: nothing is left to remove.
LIVE_APPLICATION_STATES = ["CREATING", "CREATED", "STARTING", "STARTED", "STOPPING", "STOPPED"]
FINISHED_JOB_RUN_STATES = ("SUCCESS", "FAILED", "CANCELLED")


def applications(prefix: str) -> Found:
    """EMR Serverless applications; their tags come with GetApplication, as on AWS."""
    emr = boto3.client("emr-serverless")
    pages = emr.get_paginator("list_applications").paginate(states=LIVE_APPLICATION_STATES)
    listed = sorted((application["name"], application["id"]) for page in pages for application in page["applications"]
                    if application["name"].startswith(prefix))
    for name, application_id in listed:
        tags = emr.get_application(applicationId=application_id)["application"].get("tags", {})
        yield name, tags, lambda i=application_id: _delete_application(emr, i)


def _delete_application(emr, application_id: str) -> str:
    """Only a CREATED or STOPPED application deletes, and only one without running jobs stops."""
    running = _unfinished_job_runs(emr, application_id)
    for run_id in running:
        emr.cancel_job_run(applicationId=application_id, jobRunId=run_id)
    _wait_until(lambda: not _unfinished_job_runs(emr, application_id), seconds=120)
    if _application_state(emr, application_id) not in ("CREATED", "STOPPED"):
        emr.stop_application(applicationId=application_id)
        _wait_until(lambda: _application_state(emr, application_id) in ("CREATED", "STOPPED"), seconds=300)
    emr.delete_application(applicationId=application_id)
    return f"{len(running)} job run(s) cancelled"


def _unfinished_job_runs(emr, application_id: str) -> list[str]:
    pages = emr.get_paginator("list_job_runs").paginate(applicationId=application_id)
    return [run["id"] for page in pages for run in page["jobRuns"] if run["state"] not in FINISHED_JOB_RUN_STATES]


def _application_state(emr, application_id: str) -> str:
    return emr.get_application(applicationId=application_id)["application"]["state"]


def _wait_until(done: Callable[[], bool], seconds: float) -> None:
    """Poll ``done`` until it holds; past ``seconds`` carry on, and the next call says what is wrong."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.5)


def environments(prefix: str) -> Found:
    """MWAA environments; their log groups (``airflow-<env>-Task`` ...) outlive them on AWS, so they go too."""
    mwaa = boto3.client("mwaa")
    names = [name for name in _every(mwaa.list_environments, "Environments") if name.startswith(prefix)]
    for name in sorted(names):
        environment = mwaa.get_environment(Name=name)["Environment"]
        yield name, environment.get("Tags", {}), lambda e=environment: _delete_environment(mwaa, e)


def _delete_environment(mwaa, environment: dict) -> str:
    name = environment["Name"]
    if environment["Status"] in ("CREATING", "UPDATING"):
        _wait_until(lambda: mwaa.get_environment(Name=name)["Environment"]["Status"] not in ("CREATING", "UPDATING"),
                    seconds=3600)
    if environment["Status"] != "DELETING":
        mwaa.delete_environment(Name=name)
    _wait_until(lambda: not _environment_exists(mwaa, name), seconds=3600)  # AWS: 10-30 minutes
    logs, removed = boto3.client("logs"), 0
    for module in (environment.get("LoggingConfiguration") or {}).values():
        arn = module.get("CloudWatchLogGroupArn")
        group = arn.split(":log-group:", 1)[1].split(":", 1)[0] if arn else None
        try:
            if group:
                logs.delete_log_group(logGroupName=group)
                removed += 1
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
    return f"{removed} log group(s)"


def _environment_exists(mwaa, name: str) -> bool:
    try:
        mwaa.get_environment(Name=name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


def state_machines(prefix: str) -> Found:
    sfn = boto3.client("stepfunctions")
    listed = [m for page in sfn.get_paginator("list_state_machines").paginate() for m in page["stateMachines"]
              if m["name"].startswith(prefix)]
    for machine in sorted(listed, key=lambda m: m["name"]):
        tags = _tag_dict([{"Key": t["key"], "Value": t["value"]} for t in
                          sfn.list_tags_for_resource(resourceArn=machine["stateMachineArn"]).get("tags", [])])
        yield machine["name"], tags, lambda a=machine["stateMachineArn"]: _delete_state_machine(sfn, a)


def _delete_state_machine(sfn, arn: str) -> str:
    running = [e["executionArn"] for page in sfn.get_paginator("list_executions").paginate(
        stateMachineArn=arn, statusFilter="RUNNING") for e in page["executions"]]
    for execution in running:
        sfn.stop_execution(executionArn=execution, error="Teardown", cause="Lake Labs clean up")
    sfn.delete_state_machine(stateMachineArn=arn)
    return f"{len(running)} execution(s) stopped"


def topics(prefix: str) -> Found:
    sns = boto3.client("sns")
    arns = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    for arn in sorted(a for a in arns if a.rsplit(":", 1)[-1].startswith(prefix)):
        tags = _tag_dict(sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []))
        yield arn.rsplit(":", 1)[-1], tags, lambda a=arn: _delete_topic(sns, a)


def _delete_topic(sns, arn: str) -> str:
    subscriptions = [s["SubscriptionArn"] for page in sns.get_paginator("list_subscriptions_by_topic").paginate(
        TopicArn=arn) for s in page["Subscriptions"]]
    for subscription in subscriptions:
        if subscription.startswith("arn:"):  # "PendingConfirmation" has no ARN to unsubscribe
            sns.unsubscribe(SubscriptionArn=subscription)
    sns.delete_topic(TopicArn=arn)
    return f"{len(subscriptions)} subscription(s)"


def trails(prefix: str) -> Found:
    """CloudTrail trails named with the prefix; their log files stay in their bucket (swept as a bucket)."""
    cloudtrail = boto3.client("cloudtrail")
    for trail in sorted(cloudtrail.describe_trails(includeShadowTrails=False).get("trailList", []),
                        key=lambda t: t["Name"]):
        if trail["Name"].startswith(prefix):
            try:
                listed = cloudtrail.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
                tags = _tag_dict(listed[0].get("TagsList", [])) if listed else {}
            except ClientError:
                tags = {}
            yield trail["Name"], tags, lambda t=trail["TrailARN"]: _delete_trail(cloudtrail, t)


def _delete_trail(cloudtrail, arn: str) -> str:
    cloudtrail.stop_logging(Name=arn)
    cloudtrail.delete_trail(Name=arn)
    return f"logging stopped, its files kept in {arn.rsplit('/', 1)[-1]}'s bucket until the bucket goes"


def keys(prefix: str) -> Found:
    """Customer managed KMS keys found by their course alias (``alias/<prefix>…``). A key cannot be deleted at
    once: KMS schedules it, at least 7 days ahead (AWS KMS developer guide, "Deleting AWS KMS keys"); the
    alias goes now, and a course bucket whose default encryption names the key goes back to SSE-S3, so
    what is written there later stays readable."""
    kms = boto3.client("kms")
    aliases = [alias for page in kms.get_paginator("list_aliases").paginate() for alias in page["Aliases"]]
    for alias in sorted((a for a in aliases if a["AliasName"].startswith(f"alias/{prefix}") and a.get("TargetKeyId")),
                        key=lambda a: a["AliasName"]):
        key_id = alias["TargetKeyId"]
        try:
            tags = {tag["TagKey"]: tag["TagValue"] for tag in kms.list_resource_tags(KeyId=key_id).get("Tags", [])}
        except ClientError:
            tags = {}
        yield alias["AliasName"], tags, lambda a=alias["AliasName"], k=key_id: _retire_key(kms, a, k, prefix)


def _retire_key(kms, alias: str, key_id: str, prefix: str) -> str:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    s3 = boto3.client("s3")
    reset = []
    for bucket in (b["Name"] for b in s3.list_buckets().get("Buckets", []) if b["Name"].startswith(prefix)):
        try:
            rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        except ClientError:
            continue
        if any(rule.get("ApplyServerSideEncryptionByDefault", {}).get("KMSMasterKeyID") in (arn, key_id, alias)
               for rule in rules):
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
            reset.append(bucket)
    kms.delete_alias(AliasName=alias)
    if kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] != "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return "key scheduled for deletion in 7 days" + (f"; {', '.join(reset)} back to SSE-S3" if reset else "")


def streams(prefix: str) -> Found:
    """Kinesis data streams; their enhanced fan-out consumers go with them (``EnforceConsumerDeletion``)."""
    kinesis = boto3.client("kinesis")
    listed = [name for page in kinesis.get_paginator("list_streams").paginate() for name in page["StreamNames"]]
    for name in sorted(n for n in listed if n.startswith(prefix)):
        tags = _paged_tags(kinesis.list_tags_for_stream, StreamName=name)
        yield name, tags, lambda n=name: _delete_stream(kinesis, n)


def _delete_stream(kinesis, name: str) -> str:
    """A stream being created or resharded (``CREATING``, ``UPDATING``) refuses DeleteStream: wait it out."""
    summary = lambda: kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    _wait_until(lambda: summary()["StreamStatus"] not in ("CREATING", "UPDATING"), seconds=300)
    described = summary()
    pages = kinesis.get_paginator("list_stream_consumers").paginate(StreamARN=described["StreamARN"])
    consumers = [consumer for page in pages for consumer in page["Consumers"]]
    if described["StreamStatus"] != "DELETING":
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    return f"{described['OpenShardCount']} open shard(s), {len(consumers)} consumer(s)"


def delivery_streams(prefix: str) -> Found:
    firehose = boto3.client("firehose")
    for name in sorted(n for n in _delivery_stream_names(firehose) if n.startswith(prefix)):
        tags = _paged_tags(firehose.list_tags_for_delivery_stream, DeliveryStreamName=name)
        yield name, tags, lambda n=name: _delete_delivery_stream(firehose, n)


def _delivery_stream_names(firehose) -> list[str]:
    """ListDeliveryStreams pages from the last name seen (``HasMoreDeliveryStreams``); botocore has no paginator."""
    names: list[str] = []
    while True:
        after = {"ExclusiveStartDeliveryStreamName": names[-1]} if names else {}
        page = firehose.list_delivery_streams(Limit=10000, **after)
        names += page["DeliveryStreamNames"]
        if not page.get("HasMoreDeliveryStreams") or not page["DeliveryStreamNames"]:
            return names


def _delete_delivery_stream(firehose, name: str) -> str:
    """Wait until it is gone: while ``DELETING`` Firehose "might continue to accept records", and a late
    object would stop the bucket from deleting. A ``CREATING`` stream cannot be deleted yet."""
    status = lambda: firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    _wait_until(lambda: status()["DeliveryStreamStatus"] != "CREATING", seconds=300)
    description = status()
    if description["DeliveryStreamStatus"] != "DELETING":
        firehose.delete_delivery_stream(DeliveryStreamName=name)
    _wait_until(lambda: not _delivery_stream_exists(firehose, name), seconds=300)
    source = description.get("Source", {}).get("KinesisStreamSourceDescription", {}).get("KinesisStreamARN")
    return f"read from {source.rsplit('/', 1)[-1]}" if source else ""


def _delivery_stream_exists(firehose, name: str) -> bool:
    try:
        firehose.describe_delivery_stream(DeliveryStreamName=name)
    except firehose.exceptions.ResourceNotFoundException:
        return False
    return True


def event_source_mappings(prefix: str) -> Found:
    """Lambda's mappings whose function, or whose source (a stream, a queue), has the course's prefix.

    A mapping the learner tagged is judged by its own tags. An untagged one (the lab's) is the course's
    when its function is; if its function is gone, when its source is: on AWS a mapping outlives its
    function and keeps polling."""
    aws_lambda = boto3.client("lambda")
    pages = aws_lambda.get_paginator("list_event_source_mappings").paginate()
    listed = [mapping for page in pages for mapping in page["EventSourceMappings"]
              if _mapped_function(mapping).startswith(prefix) or _mapped_source(mapping).startswith(prefix)]
    for mapping in sorted(listed, key=lambda m: (_mapped_function(m), _mapped_source(m), m["UUID"])):
        name = f"{_mapped_source(mapping)} → {_mapped_function(mapping)}"
        yield name, _mapping_tags(aws_lambda, mapping), lambda u=mapping["UUID"]: _delete_mapping(aws_lambda, u)


def _mapped_function(mapping: dict) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``"""
    return mapping["FunctionArn"].split(":")[6]


def _mapped_source(mapping: dict) -> str:
    """The stream's or queue's name: ``…:stream/<name>[/consumer/…]`` (Kinesis), ``…:<name>`` (SQS)."""
    arn = mapping.get("EventSourceArn") or ""  # self-managed Kafka has none
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    return resource.split("/")[1] if "/" in resource else resource


def _mapping_tags(aws_lambda, mapping: dict) -> dict[str, str]:
    own = aws_lambda.list_tags(Resource=mapping["EventSourceMappingArn"]).get("Tags", {}) \
        if mapping.get("EventSourceMappingArn") else {}
    if "course" in own:
        return own
    try:
        return aws_lambda.get_function(FunctionName=mapping["FunctionArn"]).get("Tags", {})
    except aws_lambda.exceptions.ResourceNotFoundException:
        return _source_tags(mapping["EventSourceArn"]) if mapping.get("EventSourceArn") else {}


def _source_tags(arn: str) -> dict[str, str]:
    service = arn.split(":")[2]
    try:
        if service == "kinesis":
            return _paged_tags(boto3.client("kinesis").list_tags_for_stream, StreamARN=arn.split("/consumer/")[0])
        if service == "sqs":
            sqs = boto3.client("sqs")
            url = sqs.get_queue_url(QueueName=arn.split(":")[5], QueueOwnerAWSAccountId=arn.split(":")[4])["QueueUrl"]
            return sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    except ClientError:  # the source is gone too: nothing says whose the mapping was
        return {}
    return {}


# Lambda refuses to delete a mapping while it changes state ("you tried to delete an event source mapping
# currently UPDATING": ResourceInUseException).
CHANGING_MAPPING_STATES = ("Creating", "Enabling", "Disabling", "Updating")


def _delete_mapping(aws_lambda, uuid: str) -> str:
    """Wait out a state change, delete, then wait until it is gone (``Deleting`` takes a moment on AWS), so
    its function, stream or queue go after it."""
    _wait_until(lambda: _mapping_state(aws_lambda, uuid) not in CHANGING_MAPPING_STATES, seconds=120)
    if _mapping_state(aws_lambda, uuid) not in ("Deleting", None):
        aws_lambda.delete_event_source_mapping(UUID=uuid)
    _wait_until(lambda: _mapping_state(aws_lambda, uuid) is None, seconds=120)
    return ""


def _mapping_state(aws_lambda, uuid: str) -> str | None:
    """The mapping's ``State``, or None once it is gone."""
    try:
        return aws_lambda.get_event_source_mapping(UUID=uuid)["State"]
    except aws_lambda.exceptions.ResourceNotFoundException:
        return None


# Lake Formation's resources (LF-tags, data cells filters, registered locations, grants) carry no AWS tags:
# one named with the learner's prefix is the course's -- an LF-tag's key, a filter's name (in a database
# with the course's prefix), a location's bucket, a grant's role once the role is gone.
LAKE_FORMATION_KINDS = ("lf-tag", "data cells filter", "registered location")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/(?:.*/)?([^/]+)$")


def lake_formation_grants(prefix: str) -> Found:
    """Lake Formation permissions granted to the course's roles (ListPermissions, as a data lake administrator).

    A grant on a dropped database or table goes with it, but a grant outlives its role: it stays listed
    under the role's ARN, and a role created again with that ARN holds it again (GrantPermissions'
    ``Principal``, Lake Formation API reference). So grants are revoked here, before their resources and
    roles go. A grant is the course's when its role is (by the role's tags); once the role is gone, when
    the role's name has the course's prefix."""
    lf, iam = boto3.client("lakeformation"), boto3.client("iam")
    listed = [p for p in _every(lf.list_permissions, "PrincipalResourcePermissions") if _grantee(p).startswith(prefix)]
    tags_of: dict[str, dict[str, str]] = {}
    for permission in sorted(listed, key=lambda p: (_grantee(p), _granted_on(p["Resource"]))):
        role = _grantee(permission)
        if role not in tags_of:
            tags_of[role] = _grantee_tags(iam, role, prefix)
        yield (f"{role} → {_granted_on(permission['Resource'])}", tags_of[role],
               lambda p=permission: _revoke(lf, p))


def _grantee(permission: dict) -> str:
    """The role's name a grant is to, or "" (a user, ``IAM_ALLOWED_PRINCIPALS``, an account...)."""
    found = _ROLE_ARN.match(permission["Principal"].get("DataLakePrincipalIdentifier", ""))
    return found.group(1) if found else ""


def _grantee_tags(iam, role: str, prefix: str) -> dict[str, str]:
    try:
        return _tag_dict(iam.list_role_tags(RoleName=role).get("Tags", []))
    except iam.exceptions.NoSuchEntityException:
        return _lake_formation_tags(prefix, "role", lambda purpose: role == prefix + purpose)


def _granted_on(resource: dict) -> str:
    """What a grant is on, in a few words: ``table db.t``, ``columns a, b of db.t``, ``LF-tag k=v``..."""
    kind, body = next(iter(resource.items()))
    if kind == "Database":
        return f"database {body['Name']}"
    if kind == "Table":
        return f"all tables of {body['DatabaseName']}" if "TableWildcard" in body else \
            f"table {body['DatabaseName']}.{body['Name']}"
    if kind == "TableWithColumns":
        table = f"{body['DatabaseName']}.{body['Name']}"
        if body.get("ColumnNames"):
            return f"columns {', '.join(body['ColumnNames'])} of {table}"
        excluded = (body.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []
        return f"all columns of {table}" + (f" but {', '.join(excluded)}" if excluded else "")
    if kind == "DataCellsFilter":
        return f"data cells filter {body['Name']} on {body['DatabaseName']}.{body['TableName']}"
    if kind == "DataLocation":
        return f"location {_location_path(body['ResourceArn'])}"
    if kind == "LFTag":
        return f"LF-tag {body['TagKey']}={'|'.join(body.get('TagValues', []))}"
    if kind == "LFTagPolicy":
        expression = " and ".join(f"{c['TagKey']}={'|'.join(c['TagValues'])}" for c in body.get("Expression") or [])
        return f"{body['ResourceType'].lower()}s tagged {expression or body.get('ExpressionName', '')}"
    return kind.lower()


def _revoke(lf, permission: dict) -> str:
    held, grantable = permission.get("Permissions") or [], permission.get("PermissionsWithGrantOption") or []
    lf.revoke_permissions(Principal=permission["Principal"], Resource=permission["Resource"],
                          Permissions=held or grantable, PermissionsWithGrantOption=grantable)
    return ", ".join(held) + (f" (grantable: {', '.join(grantable)})" if grantable else "")


def data_cells_filters(prefix: str) -> Found:
    """Data cells filters named with the prefix, on tables of the course's databases (named as ``databases``)."""
    lf = boto3.client("lakeformation")
    database_prefix = prefix.replace("-", "_")
    listed = [f for page in lf.get_paginator("list_data_cells_filter").paginate() for f in page["DataCellsFilters"]
              if f["DatabaseName"].startswith(database_prefix) and f["Name"].startswith(prefix)]
    for found in sorted(listed, key=lambda f: (f["Name"], f["DatabaseName"], f["TableName"])):
        tags = _lake_formation_tags(prefix, "data cells filter", lambda purpose, n=found["Name"]: n == prefix + purpose)
        yield found["Name"], tags, lambda f=found: _delete_data_cells_filter(lf, f)


def _delete_data_cells_filter(lf, found: dict) -> str:
    lf.delete_data_cells_filter(TableCatalogId=found["TableCatalogId"], DatabaseName=found["DatabaseName"],
                                TableName=found["TableName"], Name=found["Name"])
    return f"on {found['DatabaseName']}.{found['TableName']}"


def lf_tags(prefix: str) -> Found:
    """LF-tags whose key has the prefix. DeleteLFTag does not check whether the tag is on Data Catalog
    resources, and removing it from them first is optional ("Deleting LF-Tags", Lake Formation developer
    guide): the tag leaves the resources it was on and its grants stop applying, so it is deleted as is."""
    lf = boto3.client("lakeformation")
    pages = lf.get_paginator("list_lf_tags").paginate()
    listed = {tag["TagKey"]: tag["TagValues"] for page in pages for tag in page["LFTags"]}
    for key in sorted(k for k in listed if k.startswith(prefix)):
        tags = _lake_formation_tags(prefix, "lf-tag", lambda purpose, k=key: k == prefix + purpose)
        yield key, tags, lambda k=key: _delete_lf_tag(lf, k, len(listed[k]))


def _delete_lf_tag(lf, key: str, values: int) -> str:
    lf.delete_lf_tag(TagKey=key)
    return f"{values} value(s)"


def registered_locations(prefix: str) -> Found:
    """S3 locations registered with Lake Formation (ListResources) in a bucket named with the prefix."""
    lf = boto3.client("lakeformation")
    listed = [r["ResourceArn"] for r in _every(lf.list_resources, "ResourceInfoList")]
    for arn in sorted(a for a in listed if _location_bucket(a).startswith(prefix)):
        path = _location_path(arn)
        tags = _lake_formation_tags(prefix, "registered location", lambda purpose, p=path: p.endswith(
            f"/{purpose.strip('/')}/"))
        yield path, tags, lambda a=arn: _quietly(lf.deregister_resource, ResourceArn=a)


def _location_bucket(arn: str) -> str:
    """``arn:aws:s3:::<bucket>[/<prefix>]`` -> the bucket ("" for anything else)."""
    return arn.split(":::", 1)[1].split("/", 1)[0] if ":s3:::" in arn else ""


def _location_path(arn: str) -> str:
    """``arn:aws:s3:::<bucket>/<prefix>`` -> ``s3://<bucket>/<prefix>/``, as the Setup cell names it."""
    return f"s3://{arn.split(':::', 1)[-1].rstrip('/')}/"


def _lake_formation_tags(prefix: str, kind: str, is_purpose: Callable[[str], bool]) -> dict[str, str]:
    """The tags a Lake Formation resource named with the prefix would carry (see ``tags_by_name``)."""
    return tags_by_name(prefix, LAKE_FORMATION_KINDS, kind, is_purpose)


def tags_by_name(prefix: str, kinds: tuple[str, ...], kind: str, is_purpose: Callable[[str], bool]) -> dict[str, str]:
    """The tags a resource that carries none (a Lake Formation resource, a dashboard, a metric filter),
    named with the prefix, would carry: the course's, this learner's (``lakelab-<learner>-``), of the week
    whose entry names it (``is_purpose``) -- else of the first week whose lab creates one of ``kinds``."""
    from lakelab.course import weeks

    using = [entry for entry in weeks.WEEKS.values() if any(k in kinds for k, _ in entry.resources)]
    if not using:
        return {}
    return week_tags(prefix, named_by(kind, is_purpose) or using[0].key)


def named_by(kind: str, is_purpose: Callable[[str], bool]) -> int | str | None:
    """The lab (its key) whose entry lists a ``kind`` whose purpose ``is_purpose`` accepts, if one does."""
    from lakelab.course import weeks

    return next((entry.key for entry in weeks.WEEKS.values() for k, purpose in entry.resources
                 if k == kind and is_purpose(purpose)), None)


def week_tags(prefix: str, week: int | str) -> dict[str, str]:
    """The course's tags for this learner (``lakelab-<learner>-``) and lab (its key: ``6``, ``"6b"``)."""
    from lakelab.course import naming, weeks

    return {"course": naming.COURSE, "learner": prefix[len(naming.COURSE) + 1:-1], "week": weeks.week(week).tag}


def _paged_tags(call: Callable[..., dict], **resource: str) -> dict[str, str]:
    """Kinesis and Firehose answer tags a page at a time (``HasMoreTags``), after ``ExclusiveStartTagKey``."""
    tags: dict[str, str] = {}
    after: dict[str, str] = {}
    while True:
        page = call(**resource, **after)
        tags.update(_tag_dict(page.get("Tags", [])))
        if not page.get("HasMoreTags") or not page.get("Tags"):
            return tags
        after = {"ExclusiveStartTagKey": page["Tags"][-1]["Key"]}


def _every(call: Callable[..., dict], key: str) -> list:
    """All items of a NextToken-paged call (for those botocore has no paginator for)."""
    items, token = [], None
    while True:
        page = call(**({"NextToken": token} if token else {}))
        items += page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return items


def _quietly(call: Callable[..., object], **arguments: object) -> str:
    call(**arguments)
    return ""


def _glue_arn(kind: str, name: str) -> str:
    return f"arn:aws:glue:{boto3.session.Session().region_name}:{_account()}:{kind}/{name}"


def _account() -> str:
    from lakelab import targets

    return (targets.current() or targets.identity()).account


# The sweepers of week 6b's and week 8's kinds live in modules of their own, which use the helpers above
# (imported here, once those exist; ``lakelab.lab`` always imports this module first).
from lakelab.lab import sweepers_appflow, sweepers_monitoring, sweepers_rds_dms, sweepers_redshift  # noqa: E402

# Dependency order: what uses a resource goes before it (CloudWatch alarms first, composite alarms before
# the alarms they name: deleting what an alarm watches would set it off, sending the course's topic a
# notification; dashboards with them; Logs subscription filters before the function, stream or delivery
# stream they send to, and metric filters, before their log group; MWAA environments and state machines,
# which run everything else; then Glue triggers, which start jobs and crawlers; then Glue jobs and EMR
# Serverless applications, whose runs use the bucket and a role; Firehose delivery streams, which read a
# stream, a Glue table's schema and write the bucket as a role, and event source mappings, which feed
# functions from streams and queues; AppFlow flows, which write the bucket, before their connector profiles;
# DMS replication tasks, which read a DB instance and write the bucket as a role, before their endpoints and
# replication instance, then DB instances, their manual snapshots, and their parameter groups;
# crawlers before their database and role; Redshift Serverless
# workgroups before their namespace, clusters before their parameter and subnet groups, all before the
# buckets COPY reads and UNLOAD writes, the Glue databases Spectrum reads and the roles they assume; Lake
# Formation grants, made to roles on filters, LF-tags, locations and tables, before all of those; data
# cells filters before their table and LF-tags before the resources they are on; registered locations
# before their bucket; buckets, whose notifications point at queues and functions, before both;
# functions before their log group, which a running function writes to; streams once nothing reads
# them), roles last.
ORDER: list[tuple[str, Callable[[str], Found]]] = [
    ("composite alarm", sweepers_monitoring.composite_alarms),
    ("alarm", sweepers_monitoring.alarms),
    ("dashboard", sweepers_monitoring.dashboards),
    ("subscription filter", sweepers_monitoring.subscription_filters),
    ("metric filter", sweepers_monitoring.metric_filters),
    ("environment", environments),
    ("state machine", state_machines),
    ("trigger", triggers),
    ("job", jobs),
    ("application", applications),
    ("delivery stream", delivery_streams),
    ("event source mapping", event_source_mappings),
    ("flow", sweepers_appflow.flows),
    ("connector profile", sweepers_appflow.connector_profiles),
    ("replication task", sweepers_rds_dms.replication_tasks),
    ("endpoint", sweepers_rds_dms.endpoints),
    ("replication instance", sweepers_rds_dms.replication_instances),
    ("db instance", sweepers_rds_dms.db_instances),
    ("db snapshot", sweepers_rds_dms.db_snapshots),
    ("db parameter group", sweepers_rds_dms.db_parameter_groups),
    ("crawler", crawlers),
    ("workgroup", workgroups),
    ("trail", trails),
    ("redshift workgroup", sweepers_redshift.workgroups),
    ("redshift namespace", sweepers_redshift.namespaces),
    ("redshift cluster", sweepers_redshift.clusters),
    ("redshift parameter group", sweepers_redshift.parameter_groups),
    ("redshift subnet group", sweepers_redshift.subnet_groups),
    ("lake formation grant", lake_formation_grants),
    ("data cells filter", data_cells_filters),
    ("lf-tag", lf_tags),
    ("registered location", registered_locations),
    ("database", databases),
    ("bucket", buckets),
    ("key", keys),
    ("function", functions),
    ("log group", log_groups),
    ("stream", streams),
    ("topic", topics),
    ("queue", queues),
    ("role", roles),
]


# The service each kind belongs to, as LocalStack's health endpoint names it: a partial target
# (LocalStack's free tier) is swept only for the services it offers.
SERVICE_OF = {"environment": "mwaa", "state machine": "stepfunctions", "topic": "sns", "trigger": "glue",
              "job": "glue", "application": "emr-serverless", "crawler": "glue", "workgroup": "athena",
              "database": "glue", "bucket": "s3", "function": "lambda", "log group": "logs", "queue": "sqs",
              "role": "iam", "stream": "kinesis", "delivery stream": "firehose", "event source mapping": "lambda",
              "lake formation grant": "lakeformation", "data cells filter": "lakeformation",
              "lf-tag": "lakeformation", "registered location": "lakeformation", "key": "kms", "trail": "cloudtrail",
              "composite alarm": "cloudwatch", "alarm": "cloudwatch", "dashboard": "cloudwatch",
              "subscription filter": "logs", "metric filter": "logs", "redshift workgroup": "redshift-serverless",
              "redshift namespace": "redshift-serverless", "redshift cluster": "redshift",
              "redshift parameter group": "redshift", "redshift subnet group": "redshift",
              "flow": "appflow", "connector profile": "appflow", "replication task": "dms", "endpoint": "dms",
              "replication instance": "dms", "db instance": "rds", "db snapshot": "rds", "db parameter group": "rds"}

# Kinds no week's entry lists, swept whenever one they go with is: Lake Formation grants to the
# course's roles, made on the lab's LF-tags, filters, locations and tables; composite alarms over the
# lab's alarms; subscription filters on the course's log groups; a provisioned Redshift cluster (and its
# parameter and subnet groups) a learner creates to compare with the lab's Serverless workgroup; the
# connector profiles the lab's flows read through; the manual snapshots a learner takes of the lab's DB instance
# (or leaves by deleting it with a final snapshot), which outlive it.
REDSHIFT_SERVERLESS_KINDS = ("redshift workgroup", "redshift namespace")
SWEPT_WITH = {"lake formation grant": LAKE_FORMATION_KINDS, "composite alarm": ("alarm",),
              "subscription filter": ("log group", "metric filter"), "redshift cluster": REDSHIFT_SERVERLESS_KINDS,
              "redshift parameter group": REDSHIFT_SERVERLESS_KINDS, "redshift subnet group": REDSHIFT_SERVERLESS_KINDS,
              "connector profile": ("flow",), "db snapshot": ("db instance",)}


# Kinds whose sweepers are ready (and tested) for a lab whose course entry does not list them yet (none now:
# week 6's ingestion lab, "6b", lists AppFlow's flows and connector profiles).
AWAITING_LAB: tuple[str, ...] = ()


def in_dependency_order(kinds: set[str]) -> list[tuple[str, Callable[[str], Found]]]:
    """The sweepers of ``kinds`` (and of the kinds swept with them), in the order they must run; a kind
    without a sweeper is refused."""
    unknown = sorted(kinds - {kind for kind, _ in ORDER})
    if unknown:
        raise ValueError(f"no sweeper removes {', '.join(unknown)}: add one to lakelab.lab.sweepers")
    kinds = kinds | {kind for kind, along in SWEPT_WITH.items() if kinds & set(along)}
    return [(kind, sweeper) for kind, sweeper in ORDER if kind in kinds]
