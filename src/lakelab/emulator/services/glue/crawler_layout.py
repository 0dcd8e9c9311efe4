"""Where a crawler's tables are: listing an S3 include path and grouping its files.

Glue decides table roots from the folder tree ("How does a crawler determine when to create
partitions?"): when the data below a folder is compatible (same classification, compression
and SerDe, files at the same depth) and the schemas are similar, the folder is one table and
the levels below it are partitions; otherwise each sub-folder is considered on its own. The
similarity rule here is an approximation of Glue's: the column names of sibling folders must
overlap by ``SIMILAR`` (Jaccard index), or by ``SIMILAR_PARTITIONS`` when the folder names look
like partition values (``year=2024``, ``2024``, ``2024-05-01``), so a new column in a new
partition stays in the same table while unrelated datasets become separate tables.

The include path itself is a table root only if the files sit directly in it, or its sub-folders
look like partitions, or there are several similar ones: a lone plain sub-folder
(``raw/orders/``) is a table of its own, named after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.common import s3_objects
from lakelab.emulator.services.glue.schema_inference import FileSchema, Format, merge_types

SIMILAR = 0.7
SIMILAR_PARTITIONS = 0.5
_PARTITION_VALUE = re.compile(r"[0-9][0-9_:.T-]*")


@dataclass
class Folder:
    prefix: str  # the folder's key prefix, ending in "/" ("" at a bucket's root)
    name: str
    files: list[FileSchema] = field(default_factory=list)
    children: dict[str, Folder] = field(default_factory=dict)
    shape: Any = field(default=None, repr=False)  # memo of _shape(); False when it cannot be a table


@dataclass
class Partition:
    values: list[str]
    location: str
    files: list[FileSchema]
    columns: dict[str, Any]


@dataclass
class TablePlan:
    name: str  # sanitised, before TablePrefix and de-duplication
    location: str
    format: Format
    columns: dict[str, Any]
    files: list[FileSchema]
    partition_keys: list[str] = field(default_factory=list)
    partitions: list[Partition] = field(default_factory=list)


@dataclass
class _Shape:
    depth: int
    format: Format
    columns: dict[str, Any]


# --- listing --------------------------------------------------------------------------------


def split_target(path: str) -> tuple[str, str]:
    """``s3://bucket/raw`` -> ``("bucket", "raw/")``: an include path names a folder."""
    bucket, prefix = s3_objects.split_uri(path if "://" in path else f"s3://{path}")
    return bucket, prefix if not prefix or prefix.endswith("/") else prefix + "/"


def list_files(bucket: str, prefix: str, exclusions: list[str], account_id: str) -> Iterator[tuple[str, int]]:
    """(key, size) of the data files Glue would read under ``prefix``.

    Skipped silently, as Glue does: folder markers (``raw/``, ``raw_$folder$``), names starting
    with ``_`` or ``.`` at any level below the include path (``_SUCCESS``, ``.metadata``,
    ``_temporary/``) and keys matching an exclude pattern (globs relative to the include path).
    """
    patterns = [glob_pattern(pattern) for pattern in exclusions]
    for key, size in s3_objects.iter_objects(bucket, prefix, account_id):
        relative = key[len(prefix) :]
        if key.endswith(("/", "_$folder$")) or any(part.startswith(("_", ".")) for part in relative.split("/")):
            continue
        if not any(pattern.fullmatch(relative) for pattern in patterns):
            yield key, size


def sample_per_folder(objects: list[tuple[str, int]], sample_size: int | None) -> list[tuple[str, int]]:
    """Keep the first ``SampleSize`` files of each folder (S3Target.SampleSize)."""
    if not sample_size:
        return objects
    kept: dict[str, int] = {}
    chosen = []
    for key, size in objects:
        folder = key.rpartition("/")[0]
        if kept.get(folder, 0) < sample_size:
            kept[folder] = kept.get(folder, 0) + 1
            chosen.append((key, size))
    return chosen


def glob_pattern(glob: str) -> re.Pattern[str]:
    """Glue's exclude globs: ``*`` stays within a folder, ``**`` crosses folders, ``{a,b}``, ``[!a-c]``."""
    return re.compile(_glob_body(glob.strip()))


def _glob_body(glob: str) -> str:
    out, index = [], 0
    while index < len(glob):
        char = glob[index]
        if char == "\\" and index + 1 < len(glob):
            out.append(re.escape(glob[index + 1]))
            index += 2
            continue
        if glob.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        closing = glob.find("]" if char == "[" else "}", index + 2) if char in "[{" else -1
        if char == "[" and closing > 0:
            inside = glob[index + 1 : closing]
            negate = inside.startswith("!")
            out.append("[" + ("^" if negate else "") + inside[negate:].replace("\\", "\\\\") + "]")
            index = closing + 1
        elif char == "{" and closing > 0:
            out.append("(?:" + "|".join(_glob_body(part) for part in glob[index + 1 : closing].split(",")) + ")")
            index = closing + 1
        else:
            out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
            index += 1
    return "".join(out)


# --- grouping -------------------------------------------------------------------------------


def build_tree(prefix: str, name: str, files: list[FileSchema]) -> Folder:
    root = Folder(prefix, name)
    for schema in files:
        node = root
        for part in schema.key[len(prefix) :].split("/")[:-1]:
            node = node.children.setdefault(part, Folder(f"{node.prefix}{part}/", part))
        node.files.append(schema)
    return root


def plan_tables(bucket: str, root: Folder) -> list[TablePlan]:
    """The tables Glue would create for the include path ``root``."""
    only_child = next(iter(root.children)) if len(root.children) == 1 and not root.files else None
    if _shape(root) is not None and (only_child is None or _looks_like_partition(only_child)):
        return [_plan(bucket, root)]
    return _plans_below(bucket, root)


def table_name(raw: str) -> str:
    """Only lowercase alphanumerics and underscores survive in a crawler's table names."""
    return re.sub(r"[^a-z0-9_]", "_", raw.lower())


def _plans_below(bucket: str, folder: Folder) -> list[TablePlan]:
    plans = [_plan(bucket, folder, cluster) for cluster in _clusters(folder.files)]
    for child in folder.children.values():
        plans.extend([_plan(bucket, child)] if _shape(child) is not None else _plans_below(bucket, child))
    return plans


def _clusters(files: list[FileSchema]) -> list[list[FileSchema]]:
    """Files side by side in a folder that is no table root: compatible, similar ones share a table."""
    clusters: list[list[FileSchema]] = []
    for schema in files:
        home = next((c for c in clusters if _combine([_as_shape(c[0]), _as_shape(schema)], SIMILAR)), None)
        if home is None:
            clusters.append([schema])
        else:
            home.append(schema)
    return clusters


def _shape(folder: Folder) -> _Shape | None:
    """The merged schema of everything below ``folder`` if it can be one table, else None."""
    if folder.shape is None:
        folder.shape = _compute_shape(folder) or False
    return folder.shape or None


def _compute_shape(folder: Folder) -> _Shape | None:
    if folder.files and folder.children:
        return None
    if folder.files:
        return _combine([_as_shape(schema) for schema in folder.files], SIMILAR)
    shapes = [_shape(child) for child in folder.children.values()]
    if any(shape is None for shape in shapes):
        return None
    if len({shape.depth for shape in shapes}) != 1:  # type: ignore[union-attr]
        return None  # partitions need the same number of levels
    partition_like = all(_looks_like_partition(name) for name in folder.children)
    combined = _combine(shapes, SIMILAR_PARTITIONS if partition_like else SIMILAR)  # type: ignore[arg-type]
    return _Shape(combined.depth + 1, combined.format, combined.columns) if combined else None


def _as_shape(schema: FileSchema) -> _Shape:
    return _Shape(0, schema.format, schema.columns)


def _combine(shapes: list[_Shape], threshold: float) -> _Shape | None:
    first = shapes[0]
    columns = dict(first.columns)
    for shape in shapes[1:]:
        if shape.format != first.format or _similarity(first.columns, shape.columns) < threshold:
            return None
        for name, kind in shape.columns.items():
            columns[name] = merge_types(columns.get(name), kind)
    return _Shape(first.depth, first.format, columns)


def _similarity(left: dict[str, Any], right: dict[str, Any]) -> float:
    union = set(left) | set(right)
    return len(set(left) & set(right)) / len(union) if union else 1.0


def _looks_like_partition(name: str) -> bool:
    return "=" in name or bool(_PARTITION_VALUE.fullmatch(name))


def _plan(bucket: str, folder: Folder, files: list[FileSchema] | None = None) -> TablePlan:
    """One table rooted at ``folder`` (of ``files`` only when given: those sit directly in it)."""
    located = [((), schema) for schema in files] if files is not None else list(_walk(folder, ()))
    columns: dict[str, Any] = {}
    for _, schema in located:
        for name, kind in schema.columns.items():
            columns[name] = merge_types(columns.get(name), kind)
    depth = len(located[0][0])
    keys = [_partition_key([path[level] for path, _ in located], level) for level in range(depth)]
    plan = TablePlan(
        table_name(folder.name), f"s3://{bucket}/{folder.prefix}", located[0][1].format, columns,
        [schema for _, schema in located], keys,
    )
    if depth:
        plan.partitions = _partitions(bucket, folder, located, keys)
    return plan


def _walk(folder: Folder, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], FileSchema]]:
    for schema in folder.files:
        yield path, schema
    for name, child in folder.children.items():
        yield from _walk(child, (*path, name))


def _partition_key(names: list[str], level: int) -> str:
    """Hive-style ``key=value`` folders name their key; any other level is ``partition_<level>``."""
    keys = {name.partition("=")[0] for name in names if "=" in name}
    if len(keys) == 1 and all("=" in name for name in names):
        return table_name(keys.pop())
    return f"partition_{level}"


def _partition_value(key: str, folder_name: str, level: int) -> str:
    return folder_name if key == f"partition_{level}" else folder_name.partition("=")[2]


def _partitions(bucket: str, folder: Folder, located: list[Any], keys: list[str]) -> list[Partition]:
    by_path: dict[tuple[str, ...], list[FileSchema]] = {}
    for path, schema in located:
        by_path.setdefault(path, []).append(schema)
    partitions = []
    for path, files in by_path.items():
        values = [_partition_value(key, name, level) for level, (key, name) in enumerate(zip(keys, path))]
        columns: dict[str, Any] = {}
        for schema in files:
            for name, kind in schema.columns.items():
                columns[name] = merge_types(columns.get(name), kind)
        location = f"s3://{bucket}/{folder.prefix}{'/'.join(path)}/"
        partitions.append(Partition(values, location, files, columns))
    return partitions


def plan_single_file(bucket: str, schema: FileSchema) -> TablePlan:
    """An include path naming one object: a table of that file, named after it (``orders.csv`` -> ``orders_csv``)."""
    name = table_name(schema.key.rpartition("/")[2])
    return TablePlan(name, f"s3://{bucket}/{schema.key}", schema.format, dict(schema.columns), [schema])
