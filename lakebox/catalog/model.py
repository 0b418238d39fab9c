"""The Glue Data Catalog's object model, as plain dataclasses.

Field names follow Glue's API (in snake_case) so that `to_glue()` output reads like a
`glue.get_table()` response; types are Glue/Hive type strings (`bigint`, `array<string>`).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

EXTERNAL_TABLE = "EXTERNAL_TABLE"
VIRTUAL_VIEW = "VIRTUAL_VIEW"
MANAGED_TABLE = "MANAGED_TABLE"
TABLE_TYPES = (EXTERNAL_TABLE, VIRTUAL_VIEW, MANAGED_TABLE)

# Input/output formats and SerDes as Athena writes them for each STORED AS.
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
ORC_INPUT = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
ORC_OUTPUT = "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"
ORC_SERDE = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Column:
    name: str
    type: str
    comment: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.name.lower()


@dataclass
class SerDeInfo:
    serialization_library: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    name: str | None = None


@dataclass
class StorageDescriptor:
    columns: list[Column] = field(default_factory=list)
    location: str | None = None
    input_format: str | None = None
    output_format: str | None = None
    serde_info: SerDeInfo = field(default_factory=SerDeInfo)
    compressed: bool = False
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class Database:
    name: str
    description: str | None = None
    location_uri: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    create_time: datetime | None = None

    def __post_init__(self) -> None:
        self.name = self.name.lower()


@dataclass
class Table:
    name: str
    database_name: str
    storage_descriptor: StorageDescriptor = field(default_factory=StorageDescriptor)
    partition_keys: list[Column] = field(default_factory=list)
    table_type: str = EXTERNAL_TABLE
    parameters: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    view_original_text: str | None = None
    view_expanded_text: str | None = None
    owner: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    version_id: int = 0

    def __post_init__(self) -> None:
        self.name = self.name.lower()
        self.database_name = self.database_name.lower()

    @property
    def columns(self) -> list[Column]:
        return self.storage_descriptor.columns

    @property
    def all_columns(self) -> list[Column]:
        """Data columns followed by partition keys, the order Athena shows them in."""
        return self.storage_descriptor.columns + self.partition_keys

    @property
    def location(self) -> str | None:
        return self.storage_descriptor.location

    @property
    def is_view(self) -> bool:
        return self.table_type == VIRTUAL_VIEW

    def copy(self) -> Table:
        return copy.deepcopy(self)

    def new_partition(self, values: list[str], location: str) -> Partition:
        """A partition of this table at `location`, stored as the table is (what Glue assumes)."""
        sd = self.storage_descriptor
        return Partition(values, self.database_name, self.name,
                         storage_descriptor=StorageDescriptor(columns=list(sd.columns), location=location,
                                                              input_format=sd.input_format,
                                                              output_format=sd.output_format,
                                                              serde_info=sd.serde_info, compressed=sd.compressed))

    def to_glue(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Partition:
    values: list[str]
    database_name: str
    table_name: str
    storage_descriptor: StorageDescriptor = field(default_factory=StorageDescriptor)
    parameters: dict[str, str] = field(default_factory=dict)
    create_time: datetime | None = None

    def __post_init__(self) -> None:
        self.values = [str(v) for v in self.values]
        self.database_name = self.database_name.lower()
        self.table_name = self.table_name.lower()

    @property
    def location(self) -> str | None:
        return self.storage_descriptor.location

    def to_glue(self) -> dict[str, Any]:
        return asdict(self)
