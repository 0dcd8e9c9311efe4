"""One sweeper per kind of resource: list the course-prefixed ones with their tags and a remover.

Each sweeper yields ``(name, tags, remove)``; teardown keeps only those whose tags say the course
made them, so a resource that merely shares the prefix is never touched.
"""

from __future__ import annotations

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
    """A versioned bucket only deletes once every version and delete marker is gone."""
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
    return f"{len(versions)} object version(s)"


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
        tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
        if "course" not in tags:
            tags = _function_tags(aws_lambda, name[len(LAMBDA_LOG_GROUP):])
        yield name, tags, lambda n=name: _delete_log_group(logs, n)


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


# Dependency order: what uses a resource goes before it (MWAA environments and state machines, which run
# everything else, first; then Glue triggers, which start jobs and crawlers; then Glue jobs and EMR
# Serverless applications, whose runs use the bucket and a role; Firehose delivery streams, which read a
# stream, a Glue table's schema and write the bucket as a role, and event source mappings, which feed
# functions from streams and queues; crawlers before their database and role; buckets, whose
# notifications point at queues and functions, before both; functions before their log group, which a
# running function writes to; streams once nothing reads them), roles last.
ORDER: list[tuple[str, Callable[[str], Found]]] = [
    ("environment", environments),
    ("state machine", state_machines),
    ("trigger", triggers),
    ("job", jobs),
    ("application", applications),
    ("delivery stream", delivery_streams),
    ("event source mapping", event_source_mappings),
    ("crawler", crawlers),
    ("workgroup", workgroups),
    ("database", databases),
    ("bucket", buckets),
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
              "role": "iam", "stream": "kinesis", "delivery stream": "firehose", "event source mapping": "lambda"}


def in_dependency_order(kinds: set[str]) -> list[tuple[str, Callable[[str], Found]]]:
    """The sweepers of ``kinds``, in the order they must run; a kind without a sweeper is refused."""
    unknown = sorted(kinds - {kind for kind, _ in ORDER})
    if unknown:
        raise ValueError(f"no sweeper removes {', '.join(unknown)}: add one to lakelab.lab.sweepers")
    return [(kind, sweeper) for kind, sweeper in ORDER if kind in kinds]
