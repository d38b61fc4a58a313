"""`manage.py import_permits FILE…`: load stay permits (exchange format 1.0)."""

from jembatan.traffic.importing.command import ImportCommand
from jembatan.traffic.models import ImportBatch


class Command(ImportCommand):
    help = "Import stay permits from CSV or Parquet files (docs/traffic-format.md); resumable, idempotent."
    kind = ImportBatch.Kind.PERMITS
