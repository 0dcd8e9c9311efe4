"""Week 3 · Lambda: validate files on arrival — one check per exercise.

The zone checks judge every landed file with the course's reference reading of the contracts
(``lakelab.course.contracts``), so a failure names the file that went to the wrong zone, and why.
"""

from __future__ import annotations

import json
import re

import boto3

from lakelab.checks import iam_simulation, policies, user_code
from lakelab.checks.framework import exercise, expect
from lakelab.course import contracts, naming
from lakelab.emulator.services.awslambda import runtimes  # AWS's runtime calendar (a table, no emulator)

WEEK = 3
CONTRACTS = contracts.CONTRACTS
RAW, VALIDATED, QUARANTINE = "raw/", "validated/", "quarantine/"
# What the lab lands under raw/ (the answer key: 2 course files keep their contract, 5 samples break it).
LANDINGS = ("customers/customers.csv", "customers/sample-windows-1252.csv", "orders/orders.csv",
            "orders/sample-amount-not-numeric.csv", "orders/sample-customer-missing.csv", "orders/sample-empty.csv",
            "orders/sample-missing-column.csv")
CORRECTED = "orders/sample-amount-not-numeric.csv"  # the producer re-sends it fixed after exercise 3.7
OUTCOMES = ("validated", "quarantined", "unchanged")


def _names() -> naming.Names:
    return naming.for_week(WEEK)


@exercise(WEEK, "3.1", "the validator's role may log, read raw/ and write the verdict zones, and nothing more",
          needs=("iam-evaluation",),
          hint="a role trusted by lambda.amazonaws.com, tagged, whose policies allow logging, reading raw/ and "
               "writing validated/ and quarantine/ of the lake bucket only (IAM user guide: 'Policy evaluation "
               "logic'; Lambda developer guide: 'Defining Lambda function permissions with an execution role')")
def validator_role() -> None:
    names = _names()
    iam_simulation.expect_least_privilege_role(
        names.resource("lambda-validator"), WEEK, {"lambda.amazonaws.com"}, _needed(names), _forbidden(names),
        allowed_hint=("the handler needs each of these (an explicit Deny wins over every Allow): logs through "
                      "AWSLambdaBasicExecutionRole, GetObject and GetObjectVersion on raw/*, GetObject, PutObject and "
                      "DeleteObject on both verdict zones, ListBucket on the bucket"),
        denied_hint=("least privilege: raw/ is the untouched record of what arrived, other prefixes and buckets are "
                     "not the validator's; name the actions and the zone prefixes it needs instead of s3:* or '*'"))


def _needed(names: naming.Names) -> list[iam_simulation.Pair]:
    bucket_arn, log_group = f"arn:aws:s3:::{names.bucket('lake')}", _log_group()
    logs = [(action, names.arn("logs", f"log-group:{log_group}:log-stream:x"))
            for action in ("logs:CreateLogStream", "logs:PutLogEvents")]
    raw = [(action, f"{bucket_arn}/{RAW}orders/orders.csv") for action in ("s3:GetObject", "s3:GetObjectVersion")]
    zones = [(action, f"{bucket_arn}/{zone}orders/orders.csv") for zone in (VALIDATED, QUARANTINE)
             for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")]
    return logs + raw + zones + [("s3:ListBucket", bucket_arn)]


def _forbidden(names: naming.Names) -> list[iam_simulation.Pair]:
    bucket_arn = f"arn:aws:s3:::{names.bucket('lake')}"
    return [("s3:PutObject", f"{bucket_arn}/{RAW}orders/orders.csv"),
            ("s3:DeleteObject", f"{bucket_arn}/{RAW}orders/orders.csv"),
            ("s3:PutObject", f"{bucket_arn}/curated/orders/orders.parquet"),
            ("s3:PutObjectAcl", f"{bucket_arn}/{VALIDATED}orders/orders.csv"),
            ("s3:PutBucketPolicy", bucket_arn), ("s3:DeleteBucket", bucket_arn),
            ("s3:GetObject", "arn:aws:s3:::another-teams-bucket/raw/orders/orders.csv")]


@exercise(WEEK, "3.2", "the validator function is deployed on a runtime Lambda still lets you create",
          needs=("lambda-code",),
          hint="package validator.py with contracts.json, then create the function with the role, the handler, "
               "the zones as environment variables and the course's tags, on a Python runtime whose 'block function "
               "create' date has not passed (the reading's runtime table; Lambda developer guide: 'Lambda runtimes')")
def validator_deployed() -> None:
    names, function = _names(), _names().resource("validator")
    aws_lambda = boto3.client("lambda")
    try:
        answer = aws_lambda.get_function(FunctionName=function)
    except aws_lambda.exceptions.ResourceNotFoundException:
        answer = None
    expect(answer, expected=f"the function {function}", found="no such function: create_function failed or never ran")
    config, tags = answer["Configuration"], answer.get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")
    allowed = runtimes.creatable()
    expect(config.get("Runtime") in allowed, expected=f"a runtime Lambda still lets you create ({', '.join(allowed)})",
           found=config.get("Runtime") or "no runtime (a container image?)")
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
          needs=("lambda-code",),
          hint="two things: the function's resource-based policy lets s3.amazonaws.com invoke it from this bucket "
               "and account only, and the bucket's notification configuration sends ObjectCreated events of "
               "raw/<table>/*.csv to it (S3 user guide: 'Event notification types and destinations'; Lambda "
               "developer guide: 'Process Amazon S3 event notifications with Lambda')")
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
    qualified = sorted({c["LambdaFunctionArn"] for c in configured.get("LambdaFunctionConfigurations", [])
                        if c["LambdaFunctionArn"].startswith(function_arn + ":")})
    for table in CONTRACTS:
        key = f"{RAW}{table}/new.csv"
        expect(any(_filter_matches(c, key) for c in mine), expected=f"s3:ObjectCreated events for {key} to the function",
               found=f"{len(mine)} ObjectCreated configuration(s) for the function, none matching {key}"
                     + (f"; configured for {', '.join(qualified)}, a published version or alias" if qualified else ""),
               hint=("a published version is frozen: S3 keeps invoking its old code whatever you redeploy. Point the "
                     f"notification at the unqualified ARN {function_arn} (it runs $LATEST, the code "
                     "update_function_code deploys)") if qualified else None)


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
          needs=("lambda-code",),
          hint="land every file of LANDINGS under raw/<table>/ and wait for the validator's copies: "
               "validated/<table>/<file>, or quarantine/<table>/<file> with a reason that names what is wrong; "
               "each copy records the raw object's ETag as source-etag")
def files_reach_their_zone() -> None:
    landed = _landed()
    absent = [f"{RAW}{relative}" for relative in LANDINGS if relative not in landed]
    expect(not absent, expected=f"the lab's {len(LANDINGS)} files landed", found=f"not landed: {_listing(absent)}")
    validated, quarantined = _zone(VALIDATED), _zone(QUARANTINE)
    verdicts = {relative: contracts.problem(relative.split("/")[0], body) for relative, (_, body) in landed.items()}
    wrong = [problem for relative, reason in sorted(verdicts.items())
             if (problem := _misplaced(relative, reason, validated, quarantined))]
    keeping = sum(reason is None for reason in verdicts.values())
    failed = _validator_failure() if any(" belongs in " in problem for problem in wrong) else ""
    expect(not wrong, expected=f"{keeping} file(s) in validated/ and {len(verdicts) - keeping} in quarantine/, "
                               "each with its source-etag, the quarantined ones with their reason",
           found=f"validated/ holds {len(validated)}, quarantine/ {len(quarantined)}: {_listing(wrong)}{failed}",
           hint=CODE_FAILED_HINT if failed else None)


CODE_FAILED_HINT = ("that error is your handler's own, in its log: fix validator.py, redeploy with "
                    "aws_lambda.update_function_code(FunctionName=FUNCTION, ZipFile=...) and wait with "
                    "aws_lambda.get_waiter('function_updated_v2'), then run the cell that lands the files again")


def _validator_failure() -> str:
    """``; the validator's last error: …`` from its logs (with the group and stream), or "" if it logged none."""
    failure = user_code.lambda_failure(_names().resource("validator"))
    return f"; the validator's last error: {failure.text()}" if failure else ""


def _misplaced(relative: str, reason: str | None, validated: dict, quarantined: dict) -> str | None:
    """What is wrong with the copy of one landed file (judged by the reference ``reason``), or None."""
    zone, metadata = (QUARANTINE, quarantined.get(relative)) if reason else (VALIDATED, validated.get(relative))
    if metadata is None:
        return f"{RAW}{relative} belongs in {zone} ({reason or 'it keeps the contract'})"
    if not metadata.get("source-etag"):
        return f"{zone}{relative} lacks the metadata source-etag"
    if reason and not any(word in metadata.get("reason", "").lower() for word in _named_in(reason)):
        found = metadata.get("reason", "")
        return f"{zone}{relative} has the reason {found!r}, expected one naming {_named_in(reason)[0]!r} ({reason})"
    return None


def _named_in(reason: str) -> tuple[str, ...]:
    """Words one of which a learner's reason must contain to name the same problem as the reference's."""
    if reason.startswith("empty"):
        return ("empty", "0 bytes")
    if reason.startswith("not UTF-8"):
        return ("utf", "encod")
    column = re.search(r"(?:missing|unexpected) (\w+)|row \d+: ([a-z_]+) ", reason)
    return (next(group for group in column.groups() if group),) if column else ("header", "fields")


@exercise(WEEK, "3.5", "every landed file is accounted for: landed = validated + quarantined",
          needs=("lambda-code",),
          hint="a control total: every raw/<table>/*.csv has exactly one copy, in validated/ or quarantine/, made "
               "from its current version (source-etag = the raw ETag), and no copy lacks its raw file")
def every_file_accounted_for() -> None:
    landed, validated, quarantined = _landed(), _zone(VALIDATED), _zone(QUARANTINE)
    copies = {**validated, **quarantined}
    missing = sorted(f"{RAW}{r}" for r in set(landed) - set(copies))
    doubled = sorted(f"{RAW}{r}" for r in set(validated) & set(quarantined))
    orphans = sorted(f"{VALIDATED if r in validated else QUARANTINE}{r}" for r in set(copies) - set(landed))
    stale = sorted(f"{RAW}{r}" for r, (etag, _) in landed.items() if r in copies and copies[r].get("source-etag") != etag)
    counts = f"landed {len(landed)}, validated {len(validated)}, quarantined {len(quarantined)}"
    failed = _validator_failure() if missing else ""
    expect(landed and not (missing or doubled or orphans or stale),
           expected="landed = validated + quarantined, each file once, copied from its current version",
           found=f"{counts}; no verdict: {_listing(missing)}; in both zones: {_listing(doubled)}; "
                 f"no raw file: {_listing(orphans)}; copied from an older version: {_listing(stale)}{failed}",
           hint=CODE_FAILED_HINT if failed else None)


def _log_group() -> str:
    return f"/aws/lambda/{_names().resource('validator')}"


def logged_lines() -> dict[str, list[dict]]:
    """The validator's JSON lines ({"key", "outcome", ...}) for each raw key, oldest first."""
    pages = boto3.client("logs").get_paginator("filter_log_events").paginate(logGroupName=_log_group())
    found: dict[str, list[dict]] = {}
    for event in sorted((e for page in pages for e in page["events"]), key=lambda e: e["timestamp"]):
        try:
            line = json.loads(event["message"])
        except ValueError:
            continue
        if isinstance(line, dict) and isinstance(line.get("key"), str) and "outcome" in line:
            found.setdefault(line["key"], []).append(line)
    return found


@exercise(WEEK, "3.6", "the validator's logs tell every file's story, and expire",
          needs=("lambda-code",),
          hint="the handler prints one JSON line per file with its key, outcome and reason; the log group "
               "keeps them between two weeks and 90 days (CloudWatch Logs user guide: 'Change log data retention')")
def logs_tell_the_story() -> None:
    group = _log_group()
    groups = boto3.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    described = [g for g in groups if g["logGroupName"] == group]
    expect(described, expected=f"the log group {group}", found="none: the function has never run")
    days = described[0].get("retentionInDays")
    expect(days and 14 <= days <= 90, expected="a retention period of 14 to 90 days",
           found=f"{days} days" if days else "logs kept forever")
    story, zone_of = logged_lines(), _zones_by_file()
    silent = sorted(f"{RAW}{relative}" for relative in _landed() if f"{RAW}{relative}" not in story)
    failed = _validator_failure() if silent else ""
    expect(not silent, expected="a JSON line with the key and outcome of every landed file",
           found=f"none for {_listing(silent)}{failed}", hint=CODE_FAILED_HINT if failed else None)
    wrong = [f"{key}: {' → '.join(str(line.get('outcome')) for line in lines)}" for key, lines in sorted(story.items())
             if _story_is_wrong(lines, zone_of.get(key[len(RAW):]))]
    expect(not wrong, expected=f"outcomes among {', '.join(OUTCOMES)}; the last verdict logged for each file is the "
                               "zone its copy is in; every quarantined line has its reason", found=_listing(wrong))


def _zones_by_file() -> dict[str, str]:
    return {**{r: "validated" for r in _zone(VALIDATED)}, **{r: "quarantined" for r in _zone(QUARANTINE)}}


def _story_is_wrong(lines: list[dict], zone: str | None) -> bool:
    verdicts = [line for line in lines if line.get("outcome") != "unchanged"]
    return (any(line.get("outcome") not in OUTCOMES for line in lines)
            or any(line["outcome"] == "quarantined" and not line.get("reason") for line in verdicts)
            or (zone is not None and (not verdicts or verdicts[-1]["outcome"] != zone)))


def _versions(key: str) -> list[dict]:
    """The versions of exactly ``key``, newest first, as S3 lists them (delete markers left out)."""
    pages = boto3.client("s3").get_paginator("list_object_versions").paginate(Bucket=_names().bucket("lake"), Prefix=key)
    return [v for page in pages for v in page.get("Versions", []) if v["Key"] == key]


@exercise(WEEK, "3.7", "landing the same file again changes nothing",
          needs=("lambda-code",),
          hint="idempotency: a second arrival of the same bytes must find its verdict already made (the copy's "
               "source-etag is the raw ETag), copy nothing and log the outcome 'unchanged'")
def same_file_again_changes_nothing() -> None:
    story = logged_lines()
    zone_of = {**{r: VALIDATED for r in _zone(VALIDATED)}, **{r: QUARANTINE for r in _zone(QUARANTINE)}}
    again, first_arrival = [], {}
    for relative in sorted(_landed()):
        raw = _versions(f"{RAW}{relative}")
        if len(story.get(f"{RAW}{relative}", [])) >= 2 and len(raw) >= 2 and raw[0]["ETag"] == raw[1]["ETag"]:
            again.append(relative)
            first_arrival[relative] = raw[1]["LastModified"]
    once = [f"{RAW}{relative}" for relative in LANDINGS if relative not in again and relative != CORRECTED]
    failed = _validator_failure() if once else ""
    expect(not once, expected=f"each of the lab's files (the corrected {CORRECTED} aside) landed twice with the same "
           "bytes, the validator run for both arrivals", found=f"{len(once)} not: {_listing(once)}{failed}",
           hint=CODE_FAILED_HINT if failed else None)
    # From the first of the two arrivals on, a zone copy is written at most once (for that arrival, when its verdict
    # was new) and never for the second. Its older versions, an earlier run of the lab's (a file that left its zone
    # and came back), do not count.
    rewritten = [f"{zone_of[r]}{r}" for r in again if r in zone_of
                 and sum(v["LastModified"] >= first_arrival[r] for v in _versions(f"{zone_of[r]}{r}")) > 1]
    expect(not rewritten, expected="one version of each zone copy since those bytes first arrived",
           found=f"rewritten: {_listing(rewritten)}")
    recopied = [f"{RAW}{r}" for r in again if story[f"{RAW}{r}"][-1].get("outcome") != "unchanged"]
    expect(not recopied, expected="the outcome 'unchanged' logged for each second arrival",
           found=f"{_listing(recopied)} logged {story[recopied[0]][-1].get('outcome')!r}" if recopied else "")


@exercise(WEEK, "S.1", "a failed invocation is kept on a queue, not lost", stretch=True, needs=("lambda-code",),
          hint="an on-failure destination in the function's asynchronous invocation settings: the course's tagged "
               "queue names.resource('validator-failures'), which the function's role may send to (Lambda developer "
               "guide: 'Capturing records of Lambda asynchronous invocations')")
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
    role = boto3.client("iam").get_role(RoleName=names.resource("lambda-validator"))["Role"]["Arn"]
    iam_simulation.expect_allowed(role, [("sqs:SendMessage", destination)],
                                  hint="Lambda sends the failed event with the function's own role")
