"""One crawl's work: read the S3 targets, classify files, plan tables, write the catalog.

Runs on the crawl's own thread (see ``crawlers``). ``crawl.cancelled`` is checked between
files and before anything is written, so ``StopCrawler`` leaves the catalog untouched unless
writing had already begun.

``RecrawlPolicy`` ``CRAWL_NEW_FOLDERS_ONLY`` reuses what earlier crawls of this crawler learnt
about the folders they saw (new files in old folders are ignored, as on AWS) and, as AWS does,
forces both schema-change behaviours to LOG.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator.services.glue.crawler_catalog import CatalogChanges, CrawlContext, write_catalog
from lakelab.emulator.services.glue.crawler_layout import (
    TablePlan, build_tree, list_files, plan_single_file, plan_tables, sample_per_folder, split_target,
)
from lakelab.emulator.services.glue.schema_inference import FileSchema, Unclassifiable, infer_file

class _UnreadableTarget(Exception):
    """An include path that cannot be listed (a missing bucket, a malformed path)."""


# Earlier crawls' schemas per crawler, by "bucket/folder/": what an incremental crawl reuses.
_SEEN_ATTRIBUTE = "_lakelab_seen_folders"


def run_crawl(crawler: Any, crawl: Any, log: Any) -> tuple[CatalogChanges, str | None]:
    """(catalog changes, error message or None)."""
    log(f"BENCHMARK : Running Start Crawl for Crawler {crawler.name}")
    context = _context(crawler, crawl, log)
    targets = (crawler.targets or {}).get("S3Targets") or []
    others = sorted(kind for kind, items in (crawler.targets or {}).items() if items and kind != "S3Targets")
    if others:
        log(f"WARN : The emulator's crawler reads S3 targets only; skipped: {', '.join(others)}")
    if not targets:
        return CatalogChanges(), "The crawler has no S3 targets, the only kind the emulator's crawler reads"
    if crawler.database_name not in crawler.backend.databases:
        return CatalogChanges(), f"Database {crawler.database_name} not found"
    plans: list[TablePlan] = []
    found = classified = 0
    errors: list[str] = []
    seen = getattr(crawler, _SEEN_ATTRIBUTE, {})
    now_seen: dict[str, list[FileSchema]] = {}
    for target in targets:
        try:
            target_plans, target_found, target_classified = _crawl_target(crawler, crawl, target, log, seen, now_seen)
        except _UnreadableTarget as error:
            errors.append(str(error))
            continue
        plans += target_plans
        found, classified = found + target_found, classified + target_classified
        context.target_locations += _location(target.get("Path", ""))
    if crawl.cancelled.is_set():
        return CatalogChanges(), None
    if len(errors) == len(targets):
        return CatalogChanges(), errors[0]
    setattr(crawler, _SEEN_ATTRIBUTE, {**seen, **now_seen})
    if found and not classified:
        return CatalogChanges(), f"None of the {found} files found could be classified; the crawler log names each"
    if not found:
        log("INFO : No data files were found under the crawler's S3 targets; no table was created")
    log(f"BENCHMARK : Classification complete, writing results to database {crawler.database_name}")
    changes = write_catalog(crawler.backend, context, plans)
    log("BENCHMARK : Finished writing to Catalog")
    return changes, None


def _context(crawler: Any, crawl: Any, log: Any) -> CrawlContext:
    policy = crawler.schema_change_policy or {}
    update = policy.get("UpdateBehavior") or "UPDATE_IN_DATABASE"
    delete = policy.get("DeleteBehavior") or "DEPRECATE_IN_DATABASE"
    if _incremental(crawler):
        update = delete = "LOG"
    configured = json.dumps({"UpdateBehavior": update, "DeleteBehavior": delete}, separators=(",", ":"))
    log(f"INFO : Crawler configured with SchemaChangePolicy {configured}")
    account = crawler.backend.account_id
    role = (crawler.role or "").rpartition("/")[2]
    return CrawlContext(
        crawler_name=crawler.name, database=crawler.database_name, table_prefix=crawler.table_prefix or "",
        update_behavior=update, delete_behavior=delete, merge_new_columns=_merges_new_columns(crawler),
        crawl_id=crawl.crawl_id, created_by=f"arn:aws:sts::{account}:assumed-role/{role}/AWS-Crawler",
        target_locations=[], log=log,
    )


def _location(path: str) -> list[str]:
    """The include path as table locations start with; none for a path that names no S3 folder."""
    try:
        return ["s3://{}/{}".format(*split_target(path))]
    except ValueError:
        return []


def _incremental(crawler: Any) -> bool:
    return (crawler.recrawl_policy or {}).get("RecrawlBehavior") == "CRAWL_NEW_FOLDERS_ONLY"


def _merges_new_columns(crawler: Any) -> bool:
    try:
        configuration = json.loads(crawler.configuration or "{}")
    except ValueError:
        return False
    tables = configuration.get("CrawlerOutput", {}).get("Tables", {}) if isinstance(configuration, dict) else {}
    return tables.get("AddOrUpdateBehavior") == "MergeNewColumns"


def _crawl_target(
    crawler: Any,
    crawl: Any,
    target: dict[str, Any],
    log: Any,
    seen: dict[str, list[FileSchema]],
    now_seen: dict[str, list[FileSchema]],
) -> tuple[list[TablePlan], int, int]:
    """(tables planned, files found, files classified) for one S3 include path."""
    path = target.get("Path", "")
    account = crawler.backend.account_id
    try:
        bucket, prefix = split_target(path)
        objects = list(list_files(bucket, prefix, target.get("Exclusions") or [], account))
    except Exception as error:  # a missing bucket or a malformed path fails this target only
        message = f"Cannot read the include path {path}: {getattr(error, 'message', None) or error}"
        log(f"ERROR : {message}")
        raise _UnreadableTarget(message) from None
    single = _single_file(bucket, prefix, account) if not objects else None
    if single is not None:
        schemas = _classify(crawl, bucket, [single], account, log)
        return [plan_single_file(bucket, schema) for schema in schemas], 1, len(schemas)
    objects = sample_per_folder(objects, target.get("SampleSize"))
    schemas, fresh = _reuse_seen(crawler, bucket, objects, seen, log)
    schemas += _classify(crawl, bucket, fresh, account, log)
    for schema in schemas:
        now_seen.setdefault(f"{bucket}/{schema.key.rpartition('/')[0]}/", []).append(schema)
    root_name = prefix.rstrip("/").rpartition("/")[2] or bucket
    return plan_tables(bucket, build_tree(prefix, root_name, schemas)), len(objects), len(schemas)


def _single_file(bucket: str, prefix: str, account: str) -> tuple[str, int] | None:
    """An include path naming one object rather than a folder."""
    from lakelab.emulator.common import s3_objects

    key = prefix.rstrip("/")
    return next(((name, size) for name, size in s3_objects.iter_objects(bucket, key, account) if name == key), None)


def _reuse_seen(
    crawler: Any, bucket: str, objects: list[tuple[str, int]], seen: dict[str, list[FileSchema]], log: Any
) -> tuple[list[FileSchema], list[tuple[str, int]]]:
    """For incremental crawls: earlier schemas of folders already crawled, and the new objects."""
    if not _incremental(crawler) or not seen:
        return [], objects
    reused: dict[str, list[FileSchema]] = {}
    fresh = []
    for key, size in objects:
        folder = f"{bucket}/{key.rpartition('/')[0]}/"
        if folder in seen:
            reused[folder] = seen[folder]
        else:
            fresh.append((key, size))
    if reused:
        log(f"INFO : Crawling new folders only: {len(reused)} folders crawled before are not read again")
    return [schema for schemas in reused.values() for schema in schemas], fresh


def _classify(crawl: Any, bucket: str, objects: list[tuple[str, int]], account: str, log: Any) -> list[FileSchema]:
    schemas = []
    for key, size in objects:
        if crawl.cancelled.is_set():
            break
        try:
            schemas.append(infer_file(bucket, key, size, account))
        except Unclassifiable as reason:
            log(f"WARN : Skipping s3://{bucket}/{key}: no classifier recognises it ({reason})")
    return schemas
