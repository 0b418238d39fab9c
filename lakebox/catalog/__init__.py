"""The Glue-shaped Data Catalog: model, store and partition expressions."""

from lakebox.catalog.model import Column, Database, Partition, SerDeInfo, StorageDescriptor, Table
from lakebox.catalog.store import Catalog

__all__ = ["Catalog", "Column", "Database", "Partition", "SerDeInfo", "StorageDescriptor", "Table"]
