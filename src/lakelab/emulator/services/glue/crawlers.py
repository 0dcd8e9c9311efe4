"""Crawlers crawl: the replacements the glue package's ``PATCHES`` install in moto's crawlers.

moto's crawlers stay RUNNING and discover nothing. Here ``StartCrawler`` starts a crawl on its
own thread (the request answers at once, as on AWS): it lists the S3 targets, classifies each
file (``schema_inference``), groups files into tables and partitions
(``crawler_layout``) and writes them to the catalog (``crawler_catalog``). The crawler
then goes RUNNING -> STOPPING -> READY, with ``LastCrawl``, ``ListCrawls``, ``GetCrawlerMetrics``
and log lines in CloudWatch Logs (``/aws-glue/crawlers``, one stream per crawler) as AWS reports
them. ``StopCrawler`` cancels a running crawl (``LastCrawl.Status`` CANCELLED).

Files that no classifier recognises are skipped with a WARN line naming them; the crawl fails
only when files were found and none could be read. An include path with no data succeeds and
creates no table.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.common import logs as cloudwatch_logs
from lakelab.emulator.services.glue.crawler_catalog import CatalogChanges

LOG_GROUP = "/aws-glue/crawlers"

_start_lock = threading.Lock()
_active: set[Crawl] = set()


class Crawl:
    """One run of a crawler: what ``LastCrawl``, ``ListCrawls`` and the metrics report."""

    def __init__(self, crawler_name: str) -> None:
        self.crawl_id = str(seam.mock_random.uuid4())
        self.log_group, self.log_stream, self.message_prefix = LOG_GROUP, crawler_name, self.crawl_id
        self.start_time, self.end_time = seam.utcnow(), None
        self.state = "RUNNING"  # the crawler's State while this is its latest crawl
        self.outcome: str | None = None  # SUCCEEDED | FAILED | CANCELLED once finished
        self.error_message: str | None = None
        self.changes = CatalogChanges()
        self.runtime = 0.0
        self.cancelled = threading.Event()
        self.abandoned = False  # set on /moto-api/reset: the crawl must not touch the new state
        self.thread: threading.Thread | None = None

    @property
    def status(self) -> str:
        """The crawl's State in ListCrawls."""
        return {None: "RUNNING", "SUCCEEDED": "COMPLETED", "FAILED": "FAILED", "CANCELLED": "STOPPED"}[self.outcome]

    def advance(self) -> None:
        """moto's ListCrawls ticks its simulated state machine; a real crawl has none."""

    def as_dict(self) -> dict[str, Any]:
        changes = self.changes
        counts = {"ADD": len(changes.created), "UPDATE": len(changes.updated), "DELETE": len(changes.deleted)}
        summary = {"TABLE": counts}
        record: dict[str, Any] = {
            "CrawlId": self.crawl_id, "State": self.status, "StartTime": self.start_time,
            "Summary": json.dumps(summary), "LogGroup": self.log_group, "LogStream": self.log_stream,
            "MessagePrefix": self.message_prefix, "DPUHour": round(self.runtime / 3600, 4),
        }
        if self.end_time is not None:
            record["EndTime"] = self.end_time
        if self.error_message:
            record["ErrorMessage"] = self.error_message
        return record


def describes_as_aws(describe: Any) -> Any:
    """``FakeCrawler.as_dict``: GetCrawler as AWS answers it (see :func:`_describe`)."""
    return lambda crawler: _describe(crawler, describe(crawler))


def refuses_deleting_a_running_crawler(delete: Any) -> Any:
    """``GlueBackend.delete_crawler``, refused while a crawl runs."""
    return lambda backend, name: _delete_crawler(backend, name, delete)


def set_up() -> None:
    from lakelab.emulator import registry

    registry.on_reset(_abandon_active_crawls)


# --- the API ----------------------------------------------------------------------------------


def _state(crawler: Any) -> str:
    return crawler.crawls[-1].state if crawler.crawls else "READY"


state = property(_state)  # FakeCrawler.status: the latest crawl's state


def start_crawler(crawler: Any) -> None:
    """``FakeCrawler.start_crawler``: a crawl on its own thread (the request answers at once)."""
    with _start_lock:  # two StartCrawler calls at once must not both start a crawl
        if _state(crawler) != "READY":
            raise seam.CrawlerRunningException(f"Crawler with name {crawler.name} has already started")
        crawl = Crawl(crawler.name)
        crawler.crawls.append(crawl)
        _active.add(crawl)
    from lakelab.emulator.services.glue.crawler_run import run_crawl

    crawl.thread = threading.Thread(
        target=_run_as_role(crawler), args=(crawler, crawl, run_crawl), name=f"lakelab-crawler-{crawler.name}",
        daemon=True,
    )
    crawl.thread.start()


def _run_as_role(crawler: Any) -> Any:
    """The crawl reads S3 as its role's session (``AWS-Crawler``, invoked by Glue), as on AWS."""
    from lakelab.emulator import context, identity

    account = context.principal().account_id
    role = crawler.role if str(crawler.role).startswith("arn:") else f"arn:aws:iam::{account}:role/{crawler.role}"
    session = identity.role_session(role, "AWS-Crawler", invoked_by="glue.amazonaws.com")

    def run(*args: Any) -> None:
        with context.acting_as(session, invoked_by="glue.amazonaws.com"):
            _run(*args)

    return context.carry(run)


def stop_crawler(crawler: Any) -> None:
    """``FakeCrawler.stop_crawler``: cancel the running crawl."""
    current = _state(crawler)
    if current == "STOPPING":
        raise seam.GlueClientError("CrawlerStoppingException", f"Crawler with name {crawler.name} is stopping")
    if current != "RUNNING":
        raise seam.CrawlerNotRunningException(f"Crawler with name {crawler.name} isn't running")
    crawl = crawler.crawls[-1]
    crawl.cancelled.set()
    crawl.state = "STOPPING"


def _delete_crawler(backend: Any, name: str, delete: Any) -> None:
    crawler = backend.crawlers.get(name)
    if crawler is not None and _state(crawler) != "READY":
        raise seam.CrawlerRunningException(f"Crawler with name {name} is running and cannot be deleted")
    delete(backend, name)


# UpdateCrawler request fields -> FakeCrawler attributes (moto 5.2.5 has no UpdateCrawler).
_UPDATABLE = {
    "Role": "role", "DatabaseName": "database_name", "Description": "description", "Targets": "targets",
    "Schedule": "schedule", "Classifiers": "classifiers", "TablePrefix": "table_prefix",
    "SchemaChangePolicy": "schema_change_policy", "RecrawlPolicy": "recrawl_policy",
    "LineageConfiguration": "lineage_configuration", "Configuration": "configuration",
    "CrawlerSecurityConfiguration": "crawler_security_configuration",
}


def update_crawler(response: Any) -> Any:
    """``GlueResponse.update_crawler``: UpdateCrawler, which moto lacks."""
    parameters = response.parameters
    crawler = response.glue_backend.get_crawler(parameters.get("Name"))
    if _state(crawler) != "READY":
        raise seam.CrawlerRunningException(f"Crawler with name {crawler.name} is running and cannot be updated")
    for request_field, attribute in _UPDATABLE.items():
        if request_field in parameters:
            setattr(crawler, attribute, parameters[request_field])
    crawler.version += 1
    crawler.last_updated = seam.utcnow()
    return seam.EmptyResult()


def _describe(crawler: Any, described: dict[str, Any]) -> dict[str, Any]:
    """GetCrawler as AWS answers: the last finished crawl, defaults for unset policies."""
    described["State"] = _state(crawler)
    described["SchemaChangePolicy"] = described.get("SchemaChangePolicy") or {
        "UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE"
    }
    described["RecrawlPolicy"] = described.get("RecrawlPolicy") or {"RecrawlBehavior": "CRAWL_EVERYTHING"}
    described["LineageConfiguration"] = described.get("LineageConfiguration") or {"CrawlerLineageSettings": "DISABLE"}
    described.pop("LastCrawl", None)
    finished = [crawl for crawl in crawler.crawls if crawl.outcome]
    if finished:
        last = finished[-1]
        described["LastCrawl"] = {
            "Status": last.outcome, "LogGroup": last.log_group, "LogStream": last.log_stream,
            "MessagePrefix": last.message_prefix, "StartTime": last.start_time,
        }
        if last.error_message:
            described["LastCrawl"]["ErrorMessage"] = last.error_message
    running = crawler.crawls[-1] if crawler.crawls and not crawler.crawls[-1].outcome else None
    described["CrawlElapsedTime"] = int((seam.utcnow() - running.start_time).total_seconds() * 1000) if running else 0
    return described


def get_crawler_metrics(response: Any) -> Any:
    """``GlueResponse.get_crawler_metrics``: GetCrawlerMetrics from the crawls that ran."""
    crawlers = response.glue_backend.crawlers
    names = response.parameters.get("CrawlerNameList") or list(crawlers)
    return seam.ActionResult({"CrawlerMetricsList": [_metrics(crawlers[name]) for name in names if name in crawlers]})


def _metrics(crawler: Any) -> dict[str, Any]:
    finished = [crawl for crawl in crawler.crawls if crawl.outcome]
    last = finished[-1] if finished else Crawl(crawler.name)
    return {
        "CrawlerName": crawler.name,
        "TimeLeftSeconds": 0.0,
        "StillEstimating": _state(crawler) != "READY",
        "LastRuntimeSeconds": round(last.runtime, 3),
        "MedianRuntimeSeconds": round(statistics.median(c.runtime for c in finished), 3) if finished else 0.0,
        "TablesCreated": len(last.changes.created),
        "TablesUpdated": len(last.changes.updated),
        "TablesDeleted": len(last.changes.deleted),
    }


# --- the crawl thread -------------------------------------------------------------------------


def _run(crawler: Any, crawl: Crawl, run_crawl: Any) -> None:
    """The crawl's thread: do the work, then STOPPING -> READY with the outcome recorded."""
    log = _log_writer(crawler, crawl)
    started = time.monotonic()
    try:
        crawl.changes, crawl.error_message = run_crawl(crawler, crawl, log)
    except Exception as error:  # a crawl must never take the emulator down
        _logger().exception("crawler %s failed", crawler.name)
        crawl.error_message = f"Internal error while crawling: {type(error).__name__}: {error}"
    finally:
        _finish(crawl, log, time.monotonic() - started)


def _finish(crawl: Crawl, log: Any, runtime: float) -> None:
    crawl.state, crawl.runtime = "STOPPING", runtime
    outcome = "CANCELLED" if crawl.cancelled.is_set() else "FAILED" if crawl.error_message else "SUCCEEDED"
    if outcome == "CANCELLED":
        crawl.error_message = None
        log("INFO : The crawl was stopped by StopCrawler")
    elif outcome == "FAILED":
        log(f"ERROR : {crawl.error_message}")
    changes = crawl.changes
    log(f"INFO : Tables {len(changes.created)} created, {len(changes.updated)} updated, {len(changes.deleted)} deleted")
    log("BENCHMARK : Crawler has finished running and is in state READY")
    crawl.end_time, crawl.outcome = seam.utcnow(), outcome
    crawl.state = "READY"
    _active.discard(crawl)


def _log_writer(crawler: Any, crawl: Crawl) -> Any:
    """Lines for CloudWatch Logs, prefixed with the crawl id as Glue's are."""
    account, region = crawler.backend.account_id, crawler.backend.region_name

    def write(message: str) -> None:
        if crawl.abandoned:
            return
        try:
            cloudwatch_logs.write(account, region, LOG_GROUP, crawler.name,
                                  [(cloudwatch_logs.now_ms(), f"[{crawl.crawl_id}] {message}")])
        except Exception:  # a lost log line must not fail the crawl
            _logger().warning("could not write crawler log line: %s", message)

    return write


def _logger() -> Any:
    import logging

    return logging.getLogger("lakelab.emulator")


def _abandon_active_crawls() -> None:
    """Before moto resets its backends in place, running crawls stop writing to them."""
    for crawl in list(_active):
        crawl.abandoned = True
        crawl.cancelled.set()
    for crawl in list(_active):
        if crawl.thread is not None:
            crawl.thread.join(timeout=10)
    _active.clear()
