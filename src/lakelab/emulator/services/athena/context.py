"""What one running statement knows: who runs it, where, and its engine connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.engine import errors
from lakelab.emulator.engine.catalog import DEFAULT_DATABASE, Catalog


@dataclass
class Context:
    account_id: str
    region: str
    execution_id: str
    query: str
    database: str  # QueryExecutionContext.Database, or "default"
    output_folder: str  # the query result location, ending with "/"
    connection: Any
    catalog: Catalog = field(init=False)
    planning_seconds: float = 0.0
    scanned_bytes: int = 0
    input_rows: int | None = 0
    manifest: str | None = None  # DataManifestLocation of CTAS, INSERT INTO and UNLOAD
    scan_limit: int | None = None  # the workgroup's BytesScannedCutoffPerQuery
    # columns Lake Formation hides from the caller -> (database, table): naming one fails the query
    hidden_columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.catalog = Catalog(self.account_id, self.region)
        # Every AWS account's catalog has a "default" database, which Athena uses without a context.
        if self.catalog.find_database(DEFAULT_DATABASE) is None:
            try:
                self.catalog.glue.create_database(DEFAULT_DATABASE, {"Name": DEFAULT_DATABASE,
                                                                     "Description": "Default Hive database"})
            except Exception:  # created meanwhile by another query
                pass

    def read(self, size: int) -> None:
        """Count one file's bytes as read; past the workgroup's limit the query is cancelled there."""
        self.scanned_bytes += size
        if self.scan_limit and self.scanned_bytes > self.scan_limit:
            raise errors.ScanLimitExceeded(self.scanned_bytes)

    def database_of(self, database: str | None) -> str:
        return (database or self.database).lower()

    def require_database(self, database: str | None) -> str:
        name = self.database_of(database)
        if self.catalog.find_database(name) is None:
            raise errors.schema_not_found(name)
        return name
