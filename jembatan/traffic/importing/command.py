"""What `import_crossings` and `import_permits` share: arguments, progress, summary, report."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from jembatan.accounts.models import User
from jembatan.core.exceptions import ApplicationError
from jembatan.traffic.importing.pipeline import ImportOptions, import_file
from jembatan.traffic.importing.terminal import ProgressBar
from jembatan.traffic.models import ImportBatch, QuarantinedRow


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="CSV or Parquet files in exchange format 1.0 (docs/traffic-format.md).")
        parser.add_argument("--report", help="Write the rejected rows of every file to this CSV (file, row, field, reason).")
        parser.add_argument("--user", help="Username recorded as the importer in the ledger and the audit log.")
        parser.add_argument(
            "--force", action="store_true", help="Read a file again even if it was imported completely (adds nothing twice)."
        )
        parser.add_argument(
            "--chunk-rows", type=int, default=0, help="Rows per committed chunk (default 100,000; env JEMBATAN_TRAFFIC_CHUNK_ROWS)."
        )
        parser.add_argument(
            "--no-overlap", action="store_true", help="Load chunks in the reading thread (PostgreSQL overlaps them by default)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("en")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        read_any = False
        batches: list[ImportBatch] = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file")
                continue
            bar = ProgressBar(getattr(self.stdout, "_out", sys.stdout), path.name)
            try:
                result = import_file(
                    kind=self.kind,
                    path=path,
                    actor=actor,
                    options=ImportOptions(
                        chunk_rows=options["chunk_rows"],
                        force=options["force"],
                        overlap=False if options["no_overlap"] else None,
                        progress=bar,
                    ),
                )
            except ApplicationError as error:
                bar.close()
                self.stderr.write(f"{name}: {error.message}")
                continue
            bar.close()
            batch = result.batch
            batches.append(batch)
            if result.skipped:
                self.stdout.write(
                    f"{name}: already imported completely as batch {batch.pk} on {batch.finished_at:%Y-%m-%d %H:%M} UTC; use --force to read it again."
                )
                read_any = True
                continue
            read_any = read_any or batch.rows_total > 0
            resumed = f" (resumed after row {result.resumed_from:,})" if result.resumed_from else ""
            updated = f", {batch.rows_updated:,} updated" if batch.kind == ImportBatch.Kind.PERMITS else ""
            self.stdout.write(
                f"{name}: batch {batch.pk}{resumed}: {batch.rows_total:,} rows read, {batch.rows_loaded:,} loaded{updated}, "
                f"{batch.rows_duplicate:,} duplicates, {batch.rows_rejected:,} rejected."
            )
            if result.indexes_built:
                self.stdout.write(f"  indexes built after the initial load: {', '.join(result.indexes_built)}")
        if options["report"]:
            self._report(Path(options["report"]), batches)
        if not read_any:
            raise CommandError("Nothing could be read.")

    def _report(self, path: Path, batches: list[ImportBatch]) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "row", "field", "reason"])
            count = 0
            for batch in batches:
                for row in QuarantinedRow.objects.filter(batch=batch).order_by("row_number").iterator(chunk_size=5000):
                    writer.writerow([batch.file_name, row.row_number, row.field, row.reason])
                    count += 1
        self.stdout.write(f"Rejected rows written to {path} ({count:,}).")
