"""pyiceberg over the emulator: its files in the emulator's S3, its catalog the emulator's Glue.

``LakeFileIO`` reads and writes Iceberg's files (metadata JSON, manifest lists, manifests, data
files) in-process through ``common.s3_objects``, as the query's caller (IAM applies). ``LakeCatalog``
is a pyiceberg catalog over the in-process Glue backend that registers a table as Athena does:
``TableType`` EXTERNAL_TABLE, ``Parameters`` ``table_type``=``ICEBERG``, ``metadata_location`` and
``previous_metadata_location``, the columns with their ``iceberg.field.*`` parameters (the layout
pyiceberg's own Glue catalog writes and reads, so a learner's ``load_catalog("glue", ...)`` and
awswrangler read the same table). As on AWS, the StorageDescriptor has the columns and the location
but no InputFormat, OutputFormat or SerDe (tables Athena creates have none:
https://github.com/awslabs/aws-glue-data-catalog-client-for-apache-hive-metastore/issues/78).
"""

from __future__ import annotations

import io
import threading
from typing import Any

from pyiceberg.catalog import MetastoreCatalog
from pyiceberg.catalog.glue import _construct_table_input
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError
from pyiceberg.io import FileIO, InputFile, InputStream, OutputFile, OutputStream
from pyiceberg.serializers import FromInputFile
from pyiceberg.table import CommitTableResponse, Table
from pyiceberg.typedef import EMPTY_DICT, Identifier, Properties

from lakelab.emulator import context
from lakelab.emulator.common import s3_objects

IO_IMPL = f"{__name__}.LakeFileIO"
_commit_lock = threading.Lock()  # a commit checks and moves metadata_location as one step


class _Upload(io.BytesIO):
    def __init__(self, account_id: str, location: str, caller: Any) -> None:
        super().__init__()
        self.account_id, self.location, self.caller = account_id, location, caller

    def close(self) -> None:
        if not self.closed:
            bucket, key = s3_objects.split_uri(self.location)
            with context.bound(self.caller):
                s3_objects.write_bytes(bucket, key, self.getvalue(), account_id=self.account_id)
        super().close()


class _Input(InputFile):
    def __init__(self, account_id: str, location: str, caller: Any) -> None:
        super().__init__(location)
        self.account_id, self.caller = account_id, caller

    def _found(self) -> Any:
        bucket, key = s3_objects.split_uri(self.location)
        return s3_objects.stored_object(self.account_id, bucket, key)

    def __len__(self) -> int:
        return int(self._found().size)

    def exists(self) -> bool:
        try:
            self._found()
            return True
        except Exception:
            return False

    def open(self, seekable: bool = True) -> InputStream:
        bucket, key = s3_objects.split_uri(self.location)
        with context.bound(self.caller):
            return s3_objects.open_object(bucket, key, account_id=self.account_id)  # type: ignore[return-value]


class _Output(OutputFile):
    def __init__(self, account_id: str, location: str, caller: Any) -> None:
        super().__init__(location)
        self.account_id, self.caller = account_id, caller

    def __len__(self) -> int:
        return len(self.to_input_file())

    def exists(self) -> bool:
        return self.to_input_file().exists()

    def to_input_file(self) -> InputFile:
        return _Input(self.account_id, self.location, self.caller)

    def create(self, overwrite: bool = False) -> OutputStream:
        return _Upload(self.account_id, self.location, self.caller)  # type: ignore[return-value]


class LakeFileIO(FileIO):
    """Iceberg's FileIO over the emulator's S3 (``lakelab.account`` names the account).

    Every read, write and delete is authorized as the caller in force when the FileIO was made (an
    Athena query's caller), also on the worker threads pyiceberg reads manifests and writes files on.
    """

    def __init__(self, properties: Properties = EMPTY_DICT) -> None:
        super().__init__(properties)
        self.account_id = str(properties.get("lakelab.account") or s3_objects.DEFAULT_ACCOUNT)
        self.caller = context.current()

    def new_input(self, location: str) -> InputFile:
        return _Input(self.account_id, _s3(location), self.caller)

    def new_output(self, location: str) -> OutputFile:
        return _Output(self.account_id, _s3(location), self.caller)

    def delete(self, location: str | InputFile | OutputFile) -> None:
        path = location if isinstance(location, str) else location.location
        bucket, key = s3_objects.split_uri(_s3(path))
        with context.bound(self.caller):
            s3_objects.delete(bucket, key, account_id=self.account_id)


def _s3(location: str) -> str:
    return "s3://" + location.split("://", 1)[1] if location.startswith(("s3a://", "s3n://")) else location


class LakeCatalog(MetastoreCatalog):
    """A pyiceberg catalog over one account's in-process Glue Data Catalog."""

    def __init__(self, glue: Any, account_id: str) -> None:
        super().__init__("awsdatacatalog", **{"py-io-impl": IO_IMPL, "lakelab.account": account_id})
        self.glue = glue
        self.account_id = account_id

    def file_io(self) -> FileIO:
        return LakeFileIO({"lakelab.account": self.account_id})

    def _load_file_io(self, properties: Properties = EMPTY_DICT, location: str | None = None) -> FileIO:
        return self.file_io()

    def _glue_table(self, database: str, name: str) -> dict[str, Any]:
        try:
            fake = self.glue.get_table(database, name)
        except Exception:
            raise NoSuchTableError(f"{database}.{name}") from None
        return fake.get_version(str(fake._current_version))

    def load_table(self, identifier: str | Identifier) -> Table:
        database, name = self.identifier_to_database_and_table(identifier)
        definition = self._glue_table(database, name)
        location = (definition.get("Parameters") or {}).get("metadata_location")
        if not location:
            raise NoSuchTableError(f"{database}.{name} is not an Iceberg table")
        io_ = self.file_io()
        metadata = FromInputFile.table_metadata(io_.new_input(location))
        return Table(identifier=(database, name), metadata=metadata, metadata_location=location, io=io_, catalog=self)

    def create_table(self, identifier: str | Identifier, schema: Any, location: str | None = None,
                     partition_spec: Any = None, sort_order: Any = None, properties: Properties = EMPTY_DICT) -> Table:
        from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC
        from pyiceberg.table.sorting import UNSORTED_SORT_ORDER

        staged = self._create_staged_table(identifier, schema, location, partition_spec or UNPARTITIONED_PARTITION_SPEC,
                                           sort_order or UNSORTED_SORT_ORDER, properties)
        database, name = self.identifier_to_database_and_table(identifier)
        self._write_metadata(staged.metadata, staged.io, staged.metadata_location)
        table_input = _construct_table_input(name, staged.metadata_location, {}, staged.metadata)
        self.glue.create_table(database, name, table_input)
        return self.load_table(identifier)

    def commit_table(self, table: Table, requirements: tuple[Any, ...],
                     updates: tuple[Any, ...]) -> CommitTableResponse:
        with _commit_lock:
            return self._commit(table, requirements, updates)

    def _commit(self, table: Table, requirements: tuple[Any, ...], updates: tuple[Any, ...]) -> CommitTableResponse:
        database, name = self.identifier_to_database_and_table(table.name())
        current = self.load_table((database, name))
        staged = self._update_and_stage_table(current, (database, name), requirements, updates)
        if staged.metadata == current.metadata:
            return CommitTableResponse(metadata=current.metadata, metadata_location=current.metadata_location)
        self._write_metadata(staged.metadata, staged.io, staged.metadata_location)
        glue_table = self._glue_table(database, name)
        if (glue_table.get("Parameters") or {}).get("metadata_location") != current.metadata_location:
            raise CommitFailedException(f"{database}.{name} was changed by another commit")
        kept = {k: v for k, v in glue_table.items() if k in ("Description", "Owner", "Retention")}
        table_input = _construct_table_input(name, staged.metadata_location, {}, staged.metadata,
                                             {"Parameters": dict(glue_table.get("Parameters") or {})},
                                             current.metadata_location)
        self.glue.update_table(database, name, {**kept, **table_input})
        return CommitTableResponse(metadata=staged.metadata, metadata_location=staged.metadata_location)

    # What a query engine's catalog does not need here.
    def register_table(self, identifier: str | Identifier, metadata_location: str, overwrite: bool = False) -> Table:
        raise NotImplementedError

    def drop_table(self, identifier: str | Identifier) -> None:
        raise NotImplementedError

    def rename_table(self, from_identifier: str | Identifier, to_identifier: str | Identifier) -> Table:
        raise NotImplementedError

    def create_namespace(self, namespace: str | Identifier, properties: Properties = EMPTY_DICT) -> None:
        raise NotImplementedError

    def drop_namespace(self, namespace: str | Identifier) -> None:
        raise NotImplementedError

    def list_tables(self, namespace: str | Identifier) -> list[Identifier]:
        raise NotImplementedError

    def list_namespaces(self, namespace: str | Identifier = ()) -> list[Identifier]:
        raise NotImplementedError

    def load_namespace_properties(self, namespace: str | Identifier) -> Properties:
        return {}

    def update_namespace_properties(self, namespace: str | Identifier, removals: Any = None,
                                    updates: Properties = EMPTY_DICT) -> Any:
        raise NotImplementedError

    def list_views(self, namespace: str | Identifier) -> list[Identifier]:
        return []

    def drop_view(self, identifier: str | Identifier) -> None:
        raise NotImplementedError

    def view_exists(self, identifier: str | Identifier) -> bool:
        return False

    def load_view(self, identifier: str | Identifier) -> Any:
        raise NotImplementedError

    def register_view(self, identifier: str | Identifier, metadata_location: str) -> Any:
        raise NotImplementedError
