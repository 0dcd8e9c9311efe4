"""Week 4 · Glue Spark ETL and EMR: one check per exercise.

Run checks hold a job to its own word: the summary line it logged (rows read, written, dropped)
must match the Parquet files it left in ``curated/``, read back here from S3.
"""

from __future__ import annotations

import ast
import gzip
import re

import boto3

from lakelab.checks import athena_history, iam_simulation, job_output, job_scripts, policies
from lakelab.checks.framework import exercise, expect
from lakelab.course import naming
from lakelab.lab.sweepers import LIVE_APPLICATION_STATES

WEEK = 4
GLUE_SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
SCRIPT_KEY, SOURCE, TARGET = "scripts/orders_etl.py", "raw/orders/", "curated/orders/"
EMR_TARGET, EMR_LOGS = "curated/emr_orders/", "emr-logs/"
# Glue 5.0: a Spark job's stdout and stderr go to /aws-glue/jobs/output, stream <JobRunId>-driver (AWS Glue docs,
# "Logging for AWS Glue jobs"); Glue 4.0 and earlier name the stream by the bare run id: a prefix finds either.
GLUE_OUTPUT_LOG = "/aws-glue/jobs/output"
OTHER_BUCKET = "arn:aws:s3:::another-teams-bucket"  # any bucket but the lake: the role must reach none
GLUE_ONLY = ("GlueContext", "DynamicFrame", "Job")  # need Glue's own libraries: not on EMR, not locally
# EMR 7.x releases and their Spark (EMR Release Guide, Spark release history, 2026 copy).
SPARK_35_RELEASES = {"emr-7.8.0": "3.5.4", "emr-7.9.0": "3.5.5", "emr-7.10.0": "3.5.5", "emr-7.11.0": "3.5.6",
                     "emr-7.12.0": "3.5.6", "emr-7.13.0": "3.5.6"}


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _uri(key: str) -> str:
    return f"s3://{_names().bucket('lake')}/{key}"


def _object_arn(key: str = "") -> str:
    return f"arn:aws:s3:::{_names().bucket('lake')}" + (f"/{key}" if key else "")


def _writes(prefix: str) -> list[tuple[str, str]]:
    """What Spark needs to replace a folder's files: read, write, delete (a rename is a copy and a delete),
    and a HEAD of the folder's own key (``curated/orders``) and of the zone's (``curated``, ``curated/``),
    which IAM allows under s3:GetObject."""
    key = f"{prefix}order_month=2024-01/part-00000.snappy.parquet"
    zone = prefix.split("/", 1)[0]
    folders = [("s3:GetObject", _object_arn(folder)) for folder in (prefix.rstrip("/"), zone, f"{zone}/")]
    return folders + [
        (action, _object_arn(key)) for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")]


def _reads() -> list[tuple[str, str]]:
    return [("s3:ListBucket", _object_arn()), ("s3:GetObject", _object_arn(SCRIPT_KEY)),
            ("s3:GetObject", _object_arn(SOURCE.rstrip("/"))), ("s3:GetObject", _object_arn(f"{SOURCE}orders.csv"))]


def _denied_everywhere_else(output_prefix: str) -> list[tuple[str, str]]:
    """What a least-privilege job role must not do: touch raw/ (the record of what arrived), write another
    table or zone, manage the bucket, or read any other bucket."""
    others = {"curated/orders/": "curated/emr_orders/", "curated/emr_orders/": "curated/orders/"}[output_prefix]
    return [("s3:PutObject", _object_arn(f"{SOURCE}orders.csv")), ("s3:DeleteObject", _object_arn(f"{SOURCE}orders.csv")),
            ("s3:PutObject", _object_arn(f"{others}order_month=2024-01/part-00000.snappy.parquet")),
            ("s3:PutObject", _object_arn("curated/customers/customers.parquet")),
            ("s3:DeleteBucket", _object_arn()), ("s3:PutBucketPolicy", _object_arn()),
            ("s3:GetObject", f"{OTHER_BUCKET}/orders.csv"), ("s3:PutObject", f"{OTHER_BUCKET}/orders.csv")]


def _expect_job_role(name: str, service: str, allowed: list[tuple[str, str]], output_prefix: str) -> None:
    """The course's role for ``service``, judged by IAM's policy simulator: allowed what the job does, denied the rest."""
    role = boto3.client("iam").get_role(RoleName=name)["Role"]
    tags = policies.role_tags(name)
    expect(naming.is_course_resource(tags, WEEK), expected=f"role tags course, week {WEEK:02d}, learner",
           found=f"tags {tags}")
    services = policies.trusted_services(role)
    expect(service in services, expected=f"a trust policy for {service}", found=services or "no service trusted")
    iam_simulation.expect_allowed(role["Arn"], allowed)
    iam_simulation.expect_denied(role["Arn"], _denied_everywhere_else(output_prefix),
                                 hint="least privilege: allow only the prefixes the job reads and writes "
                                      f"(its output is {output_prefix}), never s3:* or the whole bucket")


@exercise(WEEK, "4.1", "the ETL role lets Glue read raw/ and the script, and write curated/orders/",
          hint="create the role names.resource('glue-etl') (tagged) trusting glue.amazonaws.com, attach "
               "AWSGlueServiceRole, and put an inline policy allowing s3:ListBucket on the bucket, s3:GetObject on "
               "scripts/orders_etl.py and raw/orders*, and s3:GetObject, s3:PutObject, s3:DeleteObject on "
               "curated/orders* (no slash before the *: Spark also reads the folder's own key), and s3:GetObject on "
               "the zone's folder keys curated and curated/, which Spark looks at before writing under them")
def etl_role() -> None:
    name = _names().resource("glue-etl")
    attached = policies.attached_policies(name)
    expect(GLUE_SERVICE_ROLE in attached, expected="AWSGlueServiceRole attached (logs, metrics, the catalog)",
           found=attached)
    _expect_job_role(name, "glue.amazonaws.com", _reads() + _writes(TARGET), TARGET)


def _script() -> str:
    return boto3.client("s3").get_object(Bucket=_names().bucket("lake"), Key=SCRIPT_KEY)["Body"].read().decode()


@exercise(WEEK, "4.2", "the job script is in S3: SparkSession DataFrames, --source and --target arguments",
          hint="complete typed(), well_formed() and write_by_month() in ETL_SCRIPT, then "
               "s3.put_object(Bucket=BUCKET, Key='scripts/orders_etl.py', Body=ETL_SCRIPT.encode('utf-8'))")
def script_uploaded() -> None:
    source = _script()
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        expect(False, expected="a script Python can parse", found=f"line {error.lineno}: {error.msg}")
    expect("NotImplementedError" not in source, expected="every function completed",
           found="raise NotImplementedError still in the script")
    used = job_scripts.used_names(tree)
    parsers = sorted(used & {"getResolvedOptions", "ArgumentParser"})
    expect("SparkSession" in used and parsers, expected="a SparkSession, and getResolvedOptions or argparse",
           found=f"SparkSession {'used' if 'SparkSession' in used else 'missing'}, "
                 f"arguments read with {', '.join(parsers) or 'neither'}")
    glue_only = sorted(used & set(GLUE_ONLY))
    expect(not glue_only, expected="DataFrames only", found=f"uses {', '.join(glue_only)}",
           hint="GlueContext, DynamicFrame and Job run only on Glue: this script must run on EMR too")
    unguarded = job_scripts.unguarded_awsglue_imports(tree)
    expect(not unguarded, expected="awsglue imported only inside try/except ImportError, or not at all",
           found=f"an unconditional awsglue import on line {', '.join(map(str, unguarded))}",
           hint="EMR has no awsglue package: wrap the import in try/except ImportError with an argparse "
                "fallback, or read --source and --target with argparse alone")
    strings = {node.value.removeprefix("--") for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    expect({"source", "target"} <= strings, expected="the arguments 'source' and 'target' resolved",
           found=sorted(strings & {"source", "target"}) or "neither")


@exercise(WEEK, "4.3", "the ETL job runs the script on Glue 5.0 with two G.1X workers",
          hint="glue.create_job(Name=JOB, Role=the role's ARN, Command={'Name': 'glueetl', 'ScriptLocation': "
               "SCRIPT_LOCATION, 'PythonVersion': '3'}, GlueVersion='5.0', WorkerType='G.1X', NumberOfWorkers=2, "
               "Timeout=30, DefaultArguments={'--source': SOURCE, '--target': TARGET}, Tags=names.tags)")
def job_defined() -> None:
    names, glue = _names(), boto3.client("glue")
    job = glue.get_job(JobName=names.resource("orders-etl"))["Job"]
    tags = glue.get_tags(ResourceArn=names.arn("glue", f"job/{job['Name']}")).get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")
    command = job.get("Command", {})
    expect((command.get("Name"), command.get("ScriptLocation")) == ("glueetl", _uri(SCRIPT_KEY)),
           expected=f"a glueetl job running {_uri(SCRIPT_KEY)}",
           found=f"{command.get('Name')} running {command.get('ScriptLocation')}")
    expect(job.get("GlueVersion") == "5.0", expected="GlueVersion '5.0', pinned",
           found=job.get("GlueVersion") or "not set",
           hint="pin GlueVersion='5.0': left unset, the job does not get the Spark 3.5 this script was tested on "
                "(the API reference still says 0.9)")
    capacity = (job.get("WorkerType"), job.get("NumberOfWorkers"))
    expect(capacity == ("G.1X", 2), expected="WorkerType G.1X, NumberOfWorkers 2", found=capacity)
    role = names.resource("glue-etl")
    expect(job.get("Role") in (role, boto3.client("iam").get_role(RoleName=role)["Role"]["Arn"]),
           expected=f"the role {role}", found=job.get("Role"))
    wanted = {"--source": _uri(SOURCE), "--target": _uri(TARGET)}
    arguments = {key: job.get("DefaultArguments", {}).get(key) for key in wanted}
    expect(arguments == wanted, expected=f"default arguments {wanted}", found=arguments)
    timeout = job.get("Timeout", 2880)
    expect(timeout <= 60, expected="a timeout of at most 60 minutes", found=f"{timeout} minutes",
           hint="set Timeout=30: the default, 2,880 minutes, lets a stuck job bill for two days")


def _job_runs(state: str) -> list[dict]:
    runs = boto3.client("glue").get_job_runs(JobName=_names().resource("orders-etl"))["JobRuns"]
    return sorted((r for r in runs if r["JobRunState"] == state), key=lambda r: r["StartedOn"], reverse=True)


def glue_summary(run_id: str) -> dict | None:
    """The counts the run logged: its streams are <run id>-driver (Glue 5.0) or <run id> (4.0 and earlier)."""
    pages = boto3.client("logs").get_paginator("filter_log_events").paginate(
        logGroupName=GLUE_OUTPUT_LOG, logStreamNamePrefix=run_id)
    return job_output.summary([event["message"] for page in pages for event in page["events"]])


@exercise(WEEK, "4.4", "a job run curated the orders as Snappy Parquet by month and logged what it dropped",
          hint="glue.start_job_run(JobName=JOB), poll get_job_run until JobRunState is final, then read the stream "
               "f'{run_id}-driver' in /aws-glue/jobs/output, where Glue 5.0 writes the script's stdout and stderr")
def job_run_curated_orders() -> None:
    runs = _job_runs("SUCCEEDED")
    expect(runs, expected="a SUCCEEDED run of the job", found="none")
    job_output.expect_curated(glue_summary(runs[0]["Id"]), _names().bucket("lake"), TARGET,
                              f"{GLUE_OUTPUT_LOG}, stream {runs[0]['Id']}-driver")


@exercise(WEEK, "4.5", "a crawler cataloged the curated orders with their monthly partitions",
          hint="create the database names.database('curated') and the crawler names.resource('curated-crawler') "
               "(both tagged) over TARGET with the ETL role, start it, wait until it is READY")
def crawler_cataloged_curated() -> None:
    names, glue = _names(), boto3.client("glue")
    database, crawler_name = names.database("curated"), names.resource("curated-crawler")
    for arn in (names.arn("glue", f"database/{database}"), names.arn("glue", f"crawler/{crawler_name}")):
        tags = glue.get_tags(ResourceArn=arn).get("Tags", {})
        expect(naming.is_course_resource(tags, WEEK), expected=f"{arn.split(':')[-1]} tagged {names.tags}", found=tags)
    crawler = glue.get_crawler(Name=crawler_name)["Crawler"]
    paths = [target["Path"].rstrip("/") for target in crawler["Targets"].get("S3Targets", [])]
    expect(paths == [_uri(TARGET).rstrip("/")], expected=f"one S3 target, {_uri(TARGET)}", found=paths)
    last = crawler.get("LastCrawl", {}).get("Status", "never ran")
    expect(last == "SUCCEEDED", expected="last crawl SUCCEEDED", found=f"last crawl {last}, state {crawler['State']}")
    table = glue.get_table(DatabaseName=database, Name="orders")["Table"]
    classification = table.get("Parameters", {}).get("classification")
    expect(classification == "parquet", expected="table orders classified parquet", found=classification)
    keys = [key["Name"] for key in table.get("PartitionKeys", [])]
    expect(keys in (["order_month"], ["year", "month"]), expected="partition key order_month", found=keys)
    partitions = glue.get_partitions(DatabaseName=database, TableName="orders")["Partitions"]
    months = len(job_output.MONTHS)
    expect(len(partitions) == months, expected=f"{months} partitions", found=len(partitions))


@exercise(WEEK, "4.6", "the curated Parquet answers like the raw CSV for under a tenth of the scan",
          hint="in the workgroup, run the same question on raw_orders (filtering substr(order_ts, 1, 7)) and on "
               "orders (filtering the partition order_month), for example March revenue by country")
def parquet_answers_for_less() -> None:
    queries = athena_history.succeeded_dml(_names().resource("etl-analytics"))
    raw = [q for q in queries if "raw_orders" in q["Query"].lower()]
    curated = [q for q in queries if re.search(r"\bfrom\s+(\w+\.)?\"?orders\b", q["Query"].lower())]
    answers = {q["QueryExecutionId"]: athena_history.answer(q) for q in raw + curated}
    pairs = [(c, p) for c in raw for p in curated
             if answers[c["QueryExecutionId"]] and answers[c["QueryExecutionId"]] == answers[p["QueryExecutionId"]]]
    expect(pairs, expected="a query on raw_orders and one on orders giving the same rows",
           found=f"{len(raw)} on raw_orders, {len(curated)} on orders, none answering alike")
    scanned = min(((c["Statistics"]["DataScannedInBytes"], p["Statistics"]["DataScannedInBytes"]) for c, p in pairs),
                  key=lambda pair: pair[1] / max(pair[0], 1))
    expect(scanned[1] * 10 < scanned[0], expected="the Parquet query scanning under a tenth of the CSV one",
           found=f"{scanned[1]:,} bytes against {scanned[0]:,}")


def application() -> dict | None:
    """The course's live application named ``spark`` (the newest, if there are several)."""
    emr, name = boto3.client("emr-serverless"), _names().resource("spark")
    pages = emr.get_paginator("list_applications").paginate(states=LIVE_APPLICATION_STATES)
    mine = sorted((a for page in pages for a in page["applications"] if a["name"] == name),
                  key=lambda a: a["createdAt"], reverse=True)
    return emr.get_application(applicationId=mine[0]["id"])["application"] if mine else None


@exercise(WEEK, "4.7", "an EMR Serverless application on a Spark 3.5 release, capped, with its job role",
          hint="create_application(name=names.resource('spark'), releaseLabel='emr-7.8.0', type='SPARK', "
               "maximumCapacity={...}, autoStopConfiguration={'enabled': True, ...}, tags=names.tags); and the role "
               "names.resource('emr-jobs') trusting emr-serverless.amazonaws.com, reading the script and raw/orders*, "
               "writing curated/emr_orders* and emr-logs/*, and s3:GetObject on the zone's keys curated and curated/")
def emr_application_ready() -> None:
    names, found = _names(), application()
    expect(found, expected=f"an EMR Serverless application named {names.resource('spark')}", found="none")
    expect(naming.is_course_resource(found.get("tags", {}), WEEK), expected=f"tags {names.tags}",
           found=found.get("tags"))
    release = found["releaseLabel"]
    expect(found["type"].upper() == "SPARK" and release in SPARK_35_RELEASES, expected="a Spark application on "
           f"{', '.join(SPARK_35_RELEASES)} (Spark 3.5)", found=f"{found['type']} on {release}")
    expect(found.get("maximumCapacity"), expected="a maximum capacity", found="none: it may scale without bound")
    expect(found.get("autoStopConfiguration", {}).get("enabled"), expected="auto-stop enabled", found="disabled")
    logs = [("s3:PutObject", _object_arn(f"{EMR_LOGS}applications/x/jobs/y/SPARK_DRIVER/stdout.gz"))]
    _expect_job_role(names.resource("emr-jobs"), "emr-serverless.amazonaws.com", _reads() + _writes(EMR_TARGET) + logs,
                     EMR_TARGET)


def _successful_emr_run(application_id: str) -> dict | None:
    emr = boto3.client("emr-serverless")
    listed = emr.list_job_runs(applicationId=application_id, states=["SUCCESS"])["jobRuns"]
    newest = sorted(listed, key=lambda run: run["createdAt"], reverse=True)
    return emr.get_job_run(applicationId=application_id, jobRunId=newest[0]["id"])["jobRun"] if newest else None


def driver_stdout(run: dict) -> list[str]:
    """The driver's stdout, where EMR Serverless writes it under the run's logUri."""
    overrides = run.get("configurationOverrides", {}).get("monitoringConfiguration", {})
    log_uri = overrides.get("s3MonitoringConfiguration", {}).get("logUri", "")
    expect(log_uri.rstrip("/") == _uri(EMR_LOGS).rstrip("/"), expected=f"logUri {_uri(EMR_LOGS)}",
           found=log_uri or "none")
    key = f"{EMR_LOGS}applications/{run['applicationId']}/jobs/{run['jobRunId']}/SPARK_DRIVER/stdout.gz"
    body = boto3.client("s3").get_object(Bucket=_names().bucket("lake"), Key=key)["Body"].read()
    return gzip.decompress(body).decode("utf-8").splitlines()


@exercise(WEEK, "4.8", "the same script ran on EMR Serverless, with the same result",
          hint="emr.start_job_run(applicationId=..., executionRoleArn=the emr-jobs role's ARN, "
               "jobDriver={'sparkSubmit': {'entryPoint': SCRIPT_LOCATION, 'entryPointArguments': "
               "['--source', SOURCE, '--target', EMR_TARGET]}}, "
               "configurationOverrides with logUri LOG_URI), then wait for SUCCESS")
def same_script_on_emr() -> None:
    found = application()
    expect(found, expected="the EMR Serverless application", found="none")
    run = _successful_emr_run(found["applicationId"])
    expect(run, expected="a job run in state SUCCESS", found="none")
    submit = run["jobDriver"].get("sparkSubmit", {})
    expect(submit.get("entryPoint") == _uri(SCRIPT_KEY),
           expected=f"entry point {_uri(SCRIPT_KEY)}, the Glue job's script", found=submit.get("entryPoint"))
    words = submit.get("entryPointArguments", [])
    arguments = dict(zip(words[::2], words[1::2]))
    wanted = {"--source": _uri(SOURCE), "--target": _uri(EMR_TARGET)}
    expect({key: arguments.get(key) for key in wanted} == wanted, expected=f"arguments {wanted}", found=words)
    counts = job_output.summary(driver_stdout(run))
    job_output.expect_curated(counts, _names().bucket("lake"), EMR_TARGET, "the driver's stdout.gz")
    glue_runs = _job_runs("SUCCEEDED")
    on_glue = glue_summary(glue_runs[0]["Id"]) if glue_runs else None
    expect(on_glue in (None, counts), expected=f"the Glue run's counts {on_glue}", found=counts)


def _trigger(purpose: str) -> dict:
    names, glue = _names(), boto3.client("glue")
    trigger = glue.get_trigger(Name=names.resource(purpose))["Trigger"]
    tags = glue.get_tags(ResourceArn=names.arn("glue", f"trigger/{trigger['Name']}")).get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"{trigger['Name']} tagged {names.tags}", found=tags)
    expect(trigger.get("State") == "ACTIVATED", expected=f"{trigger['Name']} ACTIVATED (a trigger does nothing before)",
           found=trigger.get("State"))
    return trigger


@exercise(WEEK, "S.1", "the job runs every night and the crawler follows each successful run", stretch=True,
          hint="create_trigger(Name=names.resource('orders-etl-nightly'), Type='SCHEDULED', "
               "Schedule='cron(0 3 * * ? *)', "
               "Actions=[{'JobName': JOB}]) and create_trigger(Name=names.resource('crawl-after-etl'), "
               "Type='CONDITIONAL', Predicate: JobName JOB, State SUCCEEDED; Actions=[{'CrawlerName': ...}]), "
               "both with StartOnCreation=True and Tags=names.tags")
def job_scheduled_and_followed() -> None:
    job, crawler = _names().resource("orders-etl"), _names().resource("curated-crawler")
    nightly = _trigger("orders-etl-nightly")
    schedule = nightly.get("Schedule", "")
    expect(nightly["Type"] == "SCHEDULED" and re.fullmatch(r"cron\(\S+ \S+ \* \* \? \*\)", schedule),
           expected="a SCHEDULED trigger with a daily cron(minute hour * * ? *)", found=f"{nightly['Type']} {schedule}")
    expect([a.get("JobName") for a in nightly.get("Actions", [])] == [job], expected=f"the action: run {job}",
           found=nightly.get("Actions"))
    follow = _trigger("crawl-after-etl")
    conditions = follow.get("Predicate", {}).get("Conditions", [])
    wanted = {"LogicalOperator": "EQUALS", "JobName": job, "State": "SUCCEEDED"}
    expect(follow["Type"] == "CONDITIONAL" and any(wanted.items() <= c.items() for c in conditions),
           expected=f"a CONDITIONAL trigger on {job} SUCCEEDED", found=f"{follow['Type']} {conditions}")
    expect([a.get("CrawlerName") for a in follow.get("Actions", [])] == [crawler],
           expected=f"the action: start {crawler}", found=follow.get("Actions"))
