"""Week 4 · Glue Spark ETL and EMR: one check per exercise.

Run checks hold a job to its own word: the summary line it logged (rows read, written, rejected)
must match the Parquet files it left in ``curated/`` and the rows in its quarantine, read back here
from S3. Helpers: ``week04_roles`` (roles by IAM's simulator), ``week04_runs`` (runs and their logs),
``job_output`` and ``job_quality`` (what the runs left in S3).
"""

from __future__ import annotations

import ast
import re

import boto3

from lakelab.checks import athena_history, job_output, job_quality, job_scripts, policies, user_code
from lakelab.checks.framework import exercise, expect
from lakelab.checks.week04_roles import expect_job_role, object_arn, reads, writes
from lakelab.checks.week04_runs import (FAILED_RUN_HINT, GLUE_OUTPUT_LOG, application, driver_stdout, glue_summary,
                                       job_runs, last_failure, runs_since_correction, successful_emr_run)
from lakelab.course import naming

WEEK = 4
GLUE_SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
SCRIPT_KEY, SOURCE = "scripts/orders_etl.py", "validated/orders/"
TARGET, QUARANTINE = "curated/orders/", "quarantine/orders/"
EMR_TARGET, EMR_LOGS = "curated/emr_orders/", "emr-logs/"
# The run over the second partner's batch: the late file's 7 rows and 150 in cents on top of the 2,000 seeded.
GATED_COUNTS = {"read": 2157, "written": 0, "rejected": 155}
GLUE_ONLY = ("GlueContext", "DynamicFrame", "Job")  # need Glue's own libraries: not on EMR, not locally
# EMR 7.x releases and their Spark (EMR Release Guide, Spark release history, 2026 copy).
SPARK_35_RELEASES = {"emr-7.8.0": "3.5.4", "emr-7.9.0": "3.5.5", "emr-7.10.0": "3.5.5", "emr-7.11.0": "3.5.6",
                     "emr-7.12.0": "3.5.6", "emr-7.13.0": "3.5.6"}


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _uri(key: str) -> str:
    return f"s3://{_names().bucket('lake')}/{key}"


@exercise(WEEK, "4.1", "the ETL role lets Glue read validated/ and the script, and write curated/ and quarantine/",
          hint="create the role names.resource('glue-etl') (tagged) trusting glue.amazonaws.com, attach "
               "AWSGlueServiceRole, and put an inline policy allowing s3:ListBucket on the bucket, s3:GetObject on "
               "scripts/orders_etl.py and validated/orders*, and s3:GetObject, s3:PutObject, s3:DeleteObject on "
               "curated/orders* and quarantine/orders* (no slash before the *: Spark also reads the folder's own "
               "key), and s3:GetObject on the zones' folder keys curated, curated/, quarantine and quarantine/")
def etl_role() -> None:
    name = _names().resource("glue-etl")
    attached = policies.attached_policies(name)
    expect(GLUE_SERVICE_ROLE in attached, expected="AWSGlueServiceRole attached (logs, metrics, the catalog)",
           found=attached)
    expect_job_role(name, "glue.amazonaws.com", reads() + writes(TARGET), TARGET)


def _script() -> str:
    return boto3.client("s3").get_object(Bucket=_names().bucket("lake"), Key=SCRIPT_KEY)["Body"].read().decode()


@exercise(WEEK, "4.2", "the job script is in S3: SparkSession DataFrames, --source and --target arguments",
          hint="complete typed(), with_reject_reason() and write_by_month() in ETL_SCRIPT, then "
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
    arguments = {"source", "target", "quarantine"}
    expect(arguments <= strings, expected="the arguments 'source', 'target' and 'quarantine' resolved",
           found=sorted(strings & arguments) or "none of them")


@exercise(WEEK, "4.3", "the ETL job runs the script on Glue 5.0 with two G.1X workers",
          hint="glue.create_job(Name=JOB, Role=the role's ARN, Command={'Name': 'glueetl', 'ScriptLocation': "
               "SCRIPT_LOCATION, 'PythonVersion': '3'}, GlueVersion='5.0', WorkerType='G.1X', NumberOfWorkers=2, "
               "Timeout=30, DefaultArguments={'--source': SOURCE, '--target': TARGET, '--quarantine': QUARANTINE}, "
               "Tags=names.tags)")
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
    wanted = {"--source": _uri(SOURCE), "--target": _uri(TARGET), "--quarantine": _uri(QUARANTINE)}
    arguments = {key: job.get("DefaultArguments", {}).get(key) for key in wanted}
    expect(arguments == wanted, expected=f"default arguments {wanted}", found=arguments)
    timeout = job.get("Timeout", 2880)
    expect(timeout <= 60, expected="a timeout of at most 60 minutes", found=f"{timeout} minutes",
           hint="set Timeout=30: the default, 2,880 minutes, lets a stuck job bill for two days")


@exercise(WEEK, "4.4", "a job run curated the orders by month, quarantined the rows that break a rule, and logged it",
          hint="glue.start_job_run(JobName=JOB), poll get_job_run until JobRunState is final, then read the stream "
               "f'{run_id}-driver' in /aws-glue/jobs/output, where Glue 5.0 writes the script's stdout and stderr")
def job_run_curated_orders() -> None:
    runs = job_runs("SUCCEEDED")
    failed = "" if runs else last_failure()
    expect(runs, expected="a SUCCEEDED run of the job", found="none" + failed, hint=FAILED_RUN_HINT if failed else None)
    summaries = {run["Id"]: glue_summary(run["Id"]) for run in runs}
    # The first build: the run that logged the answer key's counts, else the oldest, whose counts the message shows.
    run = next((run for run in runs if summaries[run["Id"]] == job_output.EXPECTED_COUNTS), runs[-1])
    bucket = _names().bucket("lake")
    job_output.expect_curated(summaries[run["Id"]], bucket, TARGET, f"{GLUE_OUTPUT_LOG}, stream {run['Id']}-driver",
                              june=(job_output.FIRST_JUNE, job_output.CORRECTED_JUNE))
    job_quality.expect_quarantine(bucket, f"{QUARANTINE}run={run['Id']}/", job_quality.LATE_REJECTS)


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


@exercise(WEEK, "4.7", "an EMR Serverless application on a Spark 3.5 release, capped, with its job role",
          hint="create_application(name=names.resource('spark'), releaseLabel='emr-7.8.0', type='SPARK', "
               "maximumCapacity={...}, autoStopConfiguration={'enabled': True, ...}, tags=names.tags); and the role "
               "names.resource('emr-jobs') trusting emr-serverless.amazonaws.com, reading the script and "
               "validated/orders*, writing curated/emr_orders*, quarantine/emr_orders* and emr-logs/*, and "
               "s3:GetObject on the zones' keys curated, curated/, quarantine and quarantine/")
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
    logs = [("s3:PutObject", object_arn(f"{EMR_LOGS}applications/x/jobs/y/SPARK_DRIVER/stdout.gz"))]
    expect_job_role(names.resource("emr-jobs"), "emr-serverless.amazonaws.com", reads() + writes(EMR_TARGET) + logs,
                    EMR_TARGET)


@exercise(WEEK, "4.8", "the same script ran on EMR Serverless, with the same result",
          hint="emr.start_job_run(applicationId=..., executionRoleArn=the emr-jobs role's ARN, "
               "jobDriver={'sparkSubmit': {'entryPoint': SCRIPT_LOCATION, 'entryPointArguments': "
               "['--source', SOURCE, '--target', EMR_TARGET, '--quarantine', EMR_QUARANTINE]}}, "
               "configurationOverrides with logUri LOG_URI), then wait for SUCCESS")
def same_script_on_emr() -> None:
    found = application()
    expect(found, expected="the EMR Serverless application", found="none")
    run = successful_emr_run(found["applicationId"])
    failure = None if run else user_code.emr_serverless_failure(found["applicationId"])
    expect(run, expected="a job run in state SUCCESS",
           found=f"none; the last run failed: {failure.text()}" if failure else "none",
           hint=("that error is the script's own, or its arguments': fix it, then start a new run and wait for "
                 "SUCCESS") if failure else None)
    submit = run["jobDriver"].get("sparkSubmit", {})
    expect(submit.get("entryPoint") == _uri(SCRIPT_KEY),
           expected=f"entry point {_uri(SCRIPT_KEY)}, the Glue job's script", found=submit.get("entryPoint"))
    words = submit.get("entryPointArguments", [])
    arguments = dict(zip(words[::2], words[1::2]))
    wanted = {"--source": _uri(SOURCE), "--target": _uri(EMR_TARGET)}
    expect({key: arguments.get(key) for key in wanted} == wanted, expected=f"arguments {wanted}", found=words)
    counts = job_output.summary(driver_stdout(run))
    job_output.expect_curated(counts, _names().bucket("lake"), EMR_TARGET, "the driver's stdout.gz")


@exercise(WEEK, "4.9", "a batch with too many rejected rows failed at the gate and left curated/ as it was",
          hint="land BAD_BATCH at BAD_KEY in validated/orders/ and run the job with its default arguments: the script "
               "must count the rejects, write them to its quarantine, and raise before write_by_month when more than "
               "5 % of the rows are rejected, with a message that names the data-quality gate")
def gate_stops_a_bad_batch() -> None:
    runs = boto3.client("glue").get_job_runs(JobName=_names().resource("orders-etl"))["JobRuns"]
    gated = [run for run in job_runs("FAILED") if "gate" in (run.get("ErrorMessage") or "").lower()]
    failed = "" if gated else last_failure()
    expect(gated, expected="a FAILED run whose ErrorMessage names the data-quality gate",
           found="runs: " + (", ".join(f"{run['JobRunState']} {run.get('ErrorMessage', '')}".strip()
                                       for run in runs) or "none") + failed,
           hint=("the last run failed, but not at the gate: " + FAILED_RUN_HINT) if failed else None)
    run, bucket = gated[0], _names().bucket("lake")
    ended = run.get("CompletedOn") or run["LastModifiedOn"]
    changed = job_quality.changes_during(bucket, TARGET, run["StartedOn"], ended)
    expect(not changed, expected=f"nothing under {TARGET} written or deleted while the gated run ran",
           found=f"{len(changed)} keys changed, e.g. {changed[:2]}",
           hint="the gate must raise before write_by_month: once Spark has written, the broken batch is curated")
    counts = glue_summary(run["Id"])
    expect(counts == GATED_COUNTS, expected=f"the run logged {GATED_COUNTS}: 155 of 2,157 rows rejected, none written",
           found=counts or "no counts in its log")
    job_quality.expect_quarantine(bucket, f"{QUARANTINE}run={run['Id']}/", job_quality.GATED_REJECTS)


@exercise(WEEK, "4.10", "June curated again from the corrected file, the other months untouched, twice alike",
          hint="the concept is dynamic partition overwrite (Spark SQL guide, 'partitionOverwriteMode'): a write "
               "replaces only the partitions it holds, so what you write must hold June whole and nothing else; "
               "the script's docstring lists its arguments, and job runs may override them (AWS Glue, 'Using job "
               "parameters in AWS Glue jobs'). Run it twice")
def one_month_reprocessed_safely() -> None:
    bucket, runs = _names().bucket("lake"), runs_since_correction()
    succeeded = [run for run in runs if run["JobRunState"] == "SUCCEEDED"]
    failed = last_failure() if len(succeeded) < 2 else ""
    expect(len(succeeded) >= 2, expected="two SUCCEEDED runs since the corrected file landed (the second shows a "
           "repeat changes nothing)", found=f"{[run['JobRunState'] for run in runs] or 'no run'}{failed}",
           hint=FAILED_RUN_HINT if failed else None)
    last_two = [glue_summary(run["Id"]) for run in succeeded[-2:]]
    expect(last_two[0] is not None and last_two[0] == last_two[1], expected="the last two runs logging the same counts",
           found=last_two)
    files, first = job_quality.files_by_month(bucket, TARGET), runs[0]["StartedOn"].replace(microsecond=0)
    for month in job_output.MONTHS[:-1]:
        expect(files.get(month), expected=f"{month}'s Parquet files under {_uri(TARGET)}", found="none: deleted",
               hint="Spark's default overwrite (static) deletes everything under the target before writing; "
                    "with partitionOverwriteMode dynamic it replaces only the months written")
        rewritten = [item["Key"] for item in files[month] if item["LastModified"] >= first]
        expect(not rewritten, expected=f"{month}'s files as the first run wrote them",
               found=f"{len(rewritten)} written since the corrected file landed",
               hint="a run over every month replaces every month: curate June alone (the script's --months)")
    june = job_quality.order_ids(bucket, files.get("2024-06", []))
    wanted = job_output.CORRECTED_JUNE
    expect(len(june) == wanted == len(set(june)), expected=f"June: {wanted} rows, {wanted} distinct orders (330 seeded "
           "and the 6 corrected)", found=f"{len(june)} rows, {len(set(june))} distinct orders",
           hint="dynamic overwrite replaces June with exactly what the run wrote: the run must read all of June, "
                "the seeded file and the corrected one (--months 2024-06 over the whole validated/orders/)")


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
