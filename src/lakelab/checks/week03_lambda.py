"""Week 3 · Lambda: validate files on arrival — one check per exercise.

The zone checks judge every landed file with the course's reference reading of the contracts
(``lakelab.course.contracts``), so a failure names the file that went to the wrong zone, and why.
"""

from __future__ import annotations

import json

import boto3

from lakelab.checks import policies
from lakelab.checks.framework import exercise, expect
from lakelab.course import contracts, naming

WEEK = 3
CONTRACTS = contracts.CONTRACTS
RAW, VALIDATED, QUARANTINE = "raw/", "validated/", "quarantine/"
CURRENT_RUNTIMES = ("python3.12", "python3.13", "python3.14")
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _names() -> naming.Names:
    return naming.for_week(WEEK)


@exercise(WEEK, "3.1", "the validator's role may log, read raw/ and write the verdict zones",
          hint="create the role names.resource('lambda-validator') (tagged) trusting lambda.amazonaws.com, attach "
               "AWSLambdaBasicExecutionRole, and put an inline policy allowing s3:GetObject on raw/* and "
               "s3:GetObject, s3:PutObject, s3:DeleteObject on validated/* and quarantine/* of the lake bucket")
def validator_role() -> None:
    names, iam = _names(), boto3.client("iam")
    name = names.resource("lambda-validator")
    role = iam.get_role(RoleName=name)["Role"]
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")
    trust = policies.listed(role["AssumeRolePolicyDocument"].get("Statement", []))
    services = [s.get("Principal", {}).get("Service") for s in trust if s.get("Effect") == "Allow"]
    expect("lambda.amazonaws.com" in str(services), expected="a trust policy for lambda.amazonaws.com", found=services)
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    expect(BASIC_EXECUTION in attached, expected="AWSLambdaBasicExecutionRole attached (it lets the function log)",
           found=attached)
    bucket_arn, statements = f"arn:aws:s3:::{names.bucket('lake')}", policies.inline_statements(name)
    needed = [("s3:GetObject", f"{RAW}orders/orders.csv")] + [
        (action, f"{zone}orders/orders.csv") for zone in (VALIDATED, QUARANTINE) for action in ("s3:PutObject", "s3:DeleteObject")]
    missing = [f"{action} on {key}" for action, key in needed if not policies.allows(statements, action, f"{bucket_arn}/{key}")]
    expect(not missing, expected="the inline policy to allow reading raw/ and writing the verdict zones",
           found=f"not allowed: {', '.join(missing)}")
    outside = policies.s3_resources_outside(statements, bucket_arn)
    expect(not outside, expected=f"S3 access limited to {bucket_arn}", found=f"also {outside}",
           hint="least privilege: name the lake bucket's ARN (and its prefixes) as Resource, never '*'")


@exercise(WEEK, "3.2", "the validator function is deployed on a current Python runtime",
          hint="zip validator.py and contracts.json, then lambda.create_function(FunctionName=FUNCTION, "
               "Runtime='python3.13', Role=role ARN, Handler='validator.handler', Environment with "
               "VALIDATED_ZONE='validated/' and QUARANTINE_ZONE='quarantine/', Tags=names.tags)")
def validator_deployed() -> None:
    names = _names()
    function = boto3.client("lambda").get_function(FunctionName=names.resource("validator"))
    config, tags = function["Configuration"], function.get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")
    expect(config.get("Runtime") in CURRENT_RUNTIMES, expected=f"a current runtime ({', '.join(CURRENT_RUNTIMES)})",
           found=config.get("Runtime"), hint="python3.11 and older are deprecated: AWS blocks updates to them")
    role = boto3.client("iam").get_role(RoleName=names.resource("lambda-validator"))["Role"]["Arn"]
    expect(config.get("Role") == role, expected=f"the role {role}", found=config.get("Role"))
    variables = config.get("Environment", {}).get("Variables", {})
    zones = {name: variables.get(name) for name in ("VALIDATED_ZONE", "QUARANTINE_ZONE")}
    expect(zones == {"VALIDATED_ZONE": VALIDATED, "QUARANTINE_ZONE": QUARANTINE},
           expected=f"VALIDATED_ZONE={VALIDATED!r} and QUARANTINE_ZONE={QUARANTINE!r}", found=zones)
    expect(config.get("State", "Active") == "Active", expected="state Active", found=config.get("State"))


def _conditions(statement: dict) -> dict[str, list[str]]:
    """Condition keys (lowercased, as IAM compares them) and their values, whatever the operator."""
    return {key.lower(): policies.listed(value) for tests in statement.get("Condition", {}).values() for key, value in tests.items()}


def _filter_matches(configuration: dict, key: str) -> bool:
    rules = {r["Name"].lower(): r["Value"] for r in configuration.get("Filter", {}).get("Key", {}).get("FilterRules", [])}
    return key.startswith(rules.get("prefix", "")) and key.endswith(rules.get("suffix", ""))


@exercise(WEEK, "3.3", "new raw orders and customers files trigger the validator",
          hint="lambda.add_permission(Principal='s3.amazonaws.com', Action='lambda:InvokeFunction', SourceArn=the "
               "bucket's ARN, SourceAccount=names.account), then put_bucket_notification_configuration with one "
               "LambdaFunctionConfiguration per table: prefix raw/<table>/, suffix .csv, s3:ObjectCreated:*")
def raw_arrivals_trigger_the_validator() -> None:
    names, aws_lambda = _names(), boto3.client("lambda")
    bucket, function = names.bucket("lake"), names.resource("validator")
    function_arn = aws_lambda.get_function_configuration(FunctionName=function)["FunctionArn"]
    statements = policies.listed(json.loads(aws_lambda.get_policy(FunctionName=function)["Policy"])["Statement"])
    for_s3 = [_conditions(s) for s in statements if "s3.amazonaws.com" in json.dumps(s.get("Principal"))]
    scoped = [c for c in for_s3 if c.get("aws:sourcearn") == [f"arn:aws:s3:::{bucket}"]
              and c.get("aws:sourceaccount") == [names.account]]
    expect(scoped, expected=f"a permission for s3.amazonaws.com with SourceArn arn:aws:s3:::{bucket} and SourceAccount",
           found=f"{len(for_s3)} permission(s) for S3, conditions {for_s3}")
    configured = boto3.client("s3").get_bucket_notification_configuration(Bucket=bucket)
    mine = [c for c in configured.get("LambdaFunctionConfigurations", []) if c["LambdaFunctionArn"] == function_arn
            and any(event.startswith("s3:ObjectCreated:") for event in c["Events"])]
    for table in CONTRACTS:
        key = f"{RAW}{table}/new.csv"
        expect(any(_filter_matches(c, key) for c in mine), expected=f"s3:ObjectCreated events for {key} to the function",
               found=f"{len(mine)} ObjectCreated configuration(s) for the function, none matching {key}")


def _landed() -> dict[str, tuple[str, bytes]]:
    """The current version of every .csv file under raw/<table>/: relative key -> (ETag, bytes)."""
    s3, bucket, found = boto3.client("s3"), _names().bucket("lake"), {}
    for table in CONTRACTS:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{RAW}{table}/"):
            for item in page.get("Contents", []):
                if item["Key"].endswith(".csv"):
                    body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                    found[item["Key"][len(RAW):]] = (item["ETag"].strip('"'), body)
    return found


def _zone(zone: str) -> dict[str, dict[str, str]]:
    """Every object in a verdict zone: relative key -> its user metadata."""
    s3, bucket, found = boto3.client("s3"), _names().bucket("lake"), {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=zone):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                found[item["Key"][len(zone):]] = s3.head_object(Bucket=bucket, Key=item["Key"])["Metadata"]
    return found


def _listing(keys: list[str], limit: int = 3) -> str:
    return ", ".join(keys[:limit]) + (f" and {len(keys) - limit} more" if len(keys) > limit else "") if keys else "none"


@exercise(WEEK, "3.4", "valid files reach validated/, malformed ones quarantine/ with the reason",
          hint="land the course's orders and customers files and the malformed samples under raw/<table>/, then "
               "wait until each has its copy: validated/<table>/<file> or quarantine/<table>/<file>, with the "
               "metadata source-etag (and reason, in quarantine)")
def files_reach_their_zone() -> None:
    landed, validated, quarantined = _landed(), _zone(VALIDATED), _zone(QUARANTINE)
    verdicts = {relative: contracts.problem(relative.split("/")[0], body) for relative, (_, body) in landed.items()}
    wrong = []
    for relative, reason in sorted(verdicts.items()):
        zone, copies = (QUARANTINE, quarantined) if reason else (VALIDATED, validated)
        metadata = copies.get(relative)
        required = ["source-etag", "reason"] if reason else ["source-etag"]
        lacking = [name for name in required if not (metadata or {}).get(name)]
        if metadata is None:
            wrong.append(f"{RAW}{relative} belongs in {zone} ({reason or 'it keeps the contract'})")
        elif lacking:
            wrong.append(f"{zone}{relative} lacks the metadata {' and '.join(lacking)}")
    expect(not wrong, expected="each landed file copied to its zone", found=_listing(wrong))
    valid_tables = sorted({relative.split("/")[0] for relative, reason in verdicts.items() if reason is None})
    expect(valid_tables == sorted(CONTRACTS), expected=f"a valid file of each table ({', '.join(sorted(CONTRACTS))})",
           found=f"valid files of {valid_tables}")
    malformed = sum(reason is not None for reason in verdicts.values())
    expect(malformed >= 4, expected="at least 4 malformed files landed", found=malformed)


@exercise(WEEK, "3.5", "every landed file is accounted for: landed = validated + quarantined",
          hint="every raw/<table>/*.csv needs exactly one copy, in validated/ or quarantine/, made from its current "
               "version (source-etag = the raw ETag); remove copies that have no raw file")
def every_file_accounted_for() -> None:
    landed, validated, quarantined = _landed(), _zone(VALIDATED), _zone(QUARANTINE)
    copies = {**validated, **quarantined}
    missing = sorted(f"{RAW}{r}" for r in set(landed) - set(copies))
    doubled = sorted(f"{RAW}{r}" for r in set(validated) & set(quarantined))
    orphans = sorted(f"{VALIDATED if r in validated else QUARANTINE}{r}" for r in set(copies) - set(landed))
    stale = sorted(f"{RAW}{r}" for r, (etag, _) in landed.items() if r in copies and copies[r].get("source-etag") != etag)
    counts = f"landed {len(landed)}, validated {len(validated)}, quarantined {len(quarantined)}"
    expect(landed and not (missing or doubled or orphans or stale),
           expected="landed = validated + quarantined, each file once, copied from its current version",
           found=f"{counts}; no verdict: {_listing(missing)}; in both zones: {_listing(doubled)}; "
                 f"no raw file: {_listing(orphans)}; copied from an older version: {_listing(stale)}")


def _log_group() -> str:
    return f"/aws/lambda/{_names().resource('validator')}"


def logged_outcomes() -> dict[str, list[str]]:
    """The outcomes the validator logged for each raw key, oldest first (its one-JSON-line-per-file log)."""
    pages = boto3.client("logs").get_paginator("filter_log_events").paginate(logGroupName=_log_group())
    found: dict[str, list[str]] = {}
    for event in sorted((e for page in pages for e in page["events"]), key=lambda e: e["timestamp"]):
        try:
            line = json.loads(event["message"])
        except ValueError:
            continue
        if isinstance(line, dict) and "key" in line and "outcome" in line:
            found.setdefault(line["key"], []).append(line["outcome"])
    return found


@exercise(WEEK, "3.6", "the validator's logs tell every file's story and expire",
          hint="print one JSON line per file from the handler ({'key': ..., 'outcome': ...}), and "
               "logs.put_retention_policy on /aws/lambda/FUNCTION (for example 14 days)")
def logs_tell_the_story() -> None:
    group = _log_group()
    groups = boto3.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    described = [g for g in groups if g["logGroupName"] == group]
    expect(described, expected=f"the log group {group}", found="none: the function has never run")
    expect(described[0].get("retentionInDays"), expected="a retention period", found="logs kept forever")
    story = logged_outcomes()
    silent = sorted(f"{RAW}{relative}" for relative in _landed() if f"{RAW}{relative}" not in story)
    expect(not silent, expected="a JSON line with the key and outcome of every landed file", found=f"none for {_listing(silent)}")


def _versions(key: str) -> list[dict]:
    """The versions of exactly ``key``, newest first, as S3 lists them (delete markers left out)."""
    pages = boto3.client("s3").get_paginator("list_object_versions").paginate(Bucket=_names().bucket("lake"), Prefix=key)
    return [v for page in pages for v in page.get("Versions", []) if v["Key"] == key]


@exercise(WEEK, "3.7", "landing the same file again changes nothing",
          hint="upload the same files to the same keys again; the handler must find that the zone copy already has "
               "this source-etag and only log the outcome 'unchanged' (no second copy, no new version)")
def same_file_again_changes_nothing() -> None:
    story = logged_outcomes()
    zone_of = {**{r: VALIDATED for r in _zone(VALIDATED)}, **{r: QUARANTINE for r in _zone(QUARANTINE)}}
    again = []
    for relative in sorted(_landed()):
        raw = _versions(f"{RAW}{relative}")
        if len(story.get(f"{RAW}{relative}", [])) >= 2 and len(raw) >= 2 and raw[0]["ETag"] == raw[1]["ETag"]:
            again.append(relative)
    expect(again, expected="a file landed twice with the same bytes, the validator run for both arrivals",
           found="none")
    rewritten = [f"{zone_of[r]}{r}" for r in again if r in zone_of and len(_versions(f"{zone_of[r]}{r}")) != 1]
    expect(not rewritten, expected="one version of each zone copy", found=f"rewritten: {_listing(rewritten)}")


@exercise(WEEK, "S.1", "a failed invocation is kept on a queue, not lost", stretch=True,
          hint="create the queue names.resource('validator-failures') (tagged), allow the role sqs:SendMessage on it, "
               "then lambda.put_function_event_invoke_config with DestinationConfig={'OnFailure': {'Destination': "
               "queue ARN}}")
def failures_kept_on_a_queue() -> None:
    names = _names()
    config = boto3.client("lambda").get_function_event_invoke_config(FunctionName=names.resource("validator"))
    destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", "")
    expect(destination.startswith("arn:aws:sqs:"), expected="an on-failure destination that is an SQS queue",
           found=destination or "no on-failure destination")
    sqs = boto3.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]
    tags = sqs.list_queue_tags(QueueUrl=queue_url).get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"queue tags {names.tags}", found=f"tags {tags}")
    statements = policies.inline_statements(names.resource("lambda-validator"))
    expect(policies.allows(statements, "sqs:SendMessage", destination), expected=f"the role allowed sqs:SendMessage on {destination}",
           found="no such statement", hint="Lambda sends the failed event with the function's own role")
