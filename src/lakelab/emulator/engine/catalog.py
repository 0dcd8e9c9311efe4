"""Tables as Athena sees them: the emulator's Glue Data Catalog, read in-process.

Databases, tables and partitions live in moto's Glue backend, so what ``glue.create_table``,
awswrangler or a crawler registered is what a query reads, and what DDL writes is what Glue lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.engine import errors, types

CATALOG = "awsdatacatalog"
DEFAULT_DATABASE = "default"

PARQUET, TEXT, OPEN_CSV, JSON, VIEW = "parquet", "text", "opencsv", "json", "view"
CLOUDTRAIL = "cloudtrail"  # CloudTrailInputFormat: gzipped {"Records": [...]} files, a row per record


def glue_backend(account_id: str, region: str) -> Any:
    return seam.backend("glue", account_id, region)


@dataclass
class Column:
    name: str
    type: types.HiveType
    comment: str = ""

    @classmethod
    def from_glue(cls, column: dict[str, Any]) -> Column:
        return cls(column["Name"].lower(), types.parse(column.get("Type") or "string"), column.get("Comment", ""))

    def to_glue(self) -> dict[str, Any]:
        found = {"Name": self.name, "Type": self.type.hive()}
        return {**found, "Comment": self.comment} if self.comment else found


@dataclass
class Partition:
    values: list[str]
    location: str


@dataclass
class Table:
    database: str
    name: str
    definition: dict[str, Any]  # Glue's TableInput-shaped dict
    fake: Any = field(repr=False, default=None)

    @property
    def storage(self) -> dict[str, Any]:
        return self.definition.get("StorageDescriptor") or {}

    @property
    def parameters(self) -> dict[str, str]:
        return self.definition.get("Parameters") or {}

    @property
    def serde_parameters(self) -> dict[str, str]:
        return (self.storage.get("SerdeInfo") or {}).get("Parameters") or {}

    @property
    def columns(self) -> list[Column]:
        return [Column.from_glue(c) for c in self.storage.get("Columns") or []]

    @property
    def partition_keys(self) -> list[Column]:
        return [Column.from_glue(c) for c in self.definition.get("PartitionKeys") or []]

    @property
    def location(self) -> str:
        return self.storage.get("Location") or ""

    @property
    def qualified(self) -> str:
        return f"{CATALOG}.{self.database}.{self.name}"

    @property
    def kind(self) -> str:
        """How the data is stored; formats the engine cannot read fail here, with their name."""
        if self.definition.get("TableType") == "VIRTUAL_VIEW":
            return VIEW
        if self.parameters.get("table_type", "").upper() == "ICEBERG":
            raise errors.not_supported(f"Iceberg table '{self.qualified}'")
        library = ((self.storage.get("SerdeInfo") or {}).get("SerializationLibrary") or "").lower()
        described = " ".join([library, (self.storage.get("InputFormat") or "").lower(),
                              self.parameters.get("classification", "").lower()])
        for marker, kind in (("parquet", PARQUET), ("opencsv", OPEN_CSV), ("cloudtrail", CLOUDTRAIL), ("json", JSON)):
            if marker in described:
                return kind
        for marker in ("orc", "avro", "ion", "regex", "grok"):
            if marker in described:
                raise errors.not_supported(f"Reading '{marker}' tables ({self.qualified})")
        return TEXT  # LazySimpleSerDe, TextInputFormat, or classification csv/tsv

    def partitions(self) -> list[Partition]:
        """The partitions registered in Glue (a projected table's queries ignore them, as Athena does)."""
        found = []
        for partition in list((self.fake.partitions if self.fake is not None else {}).values()):
            values = [str(v) for v in partition.partition_input.get("Values", [])]
            location = (partition.partition_input.get("StorageDescriptor") or {}).get("Location")
            found.append(Partition(values, location or self.default_partition_location(values)))
        return found

    def default_partition_location(self, values: list[str]) -> str:
        path = "/".join(f"{k.name}={v}" for k, v in zip(self.partition_keys, values))
        return self.location.rstrip("/") + "/" + path + "/"


class Catalog:
    """The Glue catalog of one account and region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.glue = glue_backend(account_id, region)

    def find_database(self, name: str) -> Any:
        databases = self.glue.databases
        if name in databases:
            return databases[name]
        return next((d for n, d in list(databases.items()) if n.lower() == name.lower()), None)

    def database(self, name: str, where: str = "") -> Any:
        found = self.find_database(name)
        if found is None:
            raise errors.schema_not_found(name.lower(), where)
        return found

    def find_table(self, database: str, name: str) -> Table | None:
        found_database = self.find_database(database)
        if found_database is None:
            return None
        tables = found_database.tables
        fake = tables.get(name) or next((t for n, t in list(tables.items()) if n.lower() == name.lower()), None)
        if fake is None:
            return None
        definition = fake.get_version(str(fake._current_version))
        return Table(found_database.name, fake.name, definition, fake)

    def table(self, database: str, name: str, where: str = "") -> Table:
        self.database(database, where)
        found = self.find_table(database, name)
        if found is None:
            raise errors.table_not_found(database.lower(), name.lower(), where)
        return found

    def database_names(self) -> list[str]:
        return sorted(list(self.glue.databases))

    def table_names(self, database: str) -> list[str]:
        return sorted(list(self.database(database).tables))
