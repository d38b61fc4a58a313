"""`manage.py import_crossings FILE…`: load border crossings (exchange format 1.0)."""

from jembatan.traffic.importing.command import ImportCommand
from jembatan.traffic.models import ImportBatch


class Command(ImportCommand):
    help = "Import border crossings from CSV or Parquet files (docs/traffic-format.md); resumable, idempotent."
    kind = ImportBatch.Kind.CROSSINGS
