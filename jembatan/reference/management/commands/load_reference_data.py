"""`manage.py load_reference_data`: load countries, ICAO codes, offices, detention centres,
checkpoints, missions and legal bases. Safe to run again: a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jembatan.core import request_context
from jembatan.reference.services import reference_data_load
from jembatan.reference.services.loading import TABLE_NAMES


class Command(BaseCommand):
    help = (
        "Load the reference tables from pycountry and the compiled CSVs in settings.REFERENCE_DATA_DIR. "
        "Rows corrected by an administrator are never overwritten; a file with a bad row is refused whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", help="Directory with the CSV files (default: settings.REFERENCE_DATA_DIR).")
        parser.add_argument(
            "--table",
            action="append",
            dest="tables",
            choices=TABLE_NAMES,
            help="Load only this table (repeatable). Missions need the countries already loaded.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context.bind(actor=None, channel="command"):
            report = reference_data_load(data_dir=options["data_dir"], tables=options["tables"])
        self.stdout.write(f"Reference data from {report.data_dir}")
        for table, c in report.tables.items():
            line = f"  {table:<20} {c.created:>4} created, {c.updated:>4} updated, {c.unchanged:>4} unchanged, {c.skipped:>4} skipped (corrected locally)"
            if c.refused:
                line += f", {c.refused} refused"
            self.stdout.write(line)
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if not report.ok:
            raise CommandError(
                f"Refused {len(report.refused_files)} file(s): {', '.join(report.refused_files)}. "
                "Nothing from a refused file was written; correct it and run the command again."
            )
        self.stdout.write(self.style.SUCCESS("Done."))
