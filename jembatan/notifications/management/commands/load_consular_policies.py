"""`manage.py load_consular_policies`: the country consular policies (mandatory partners from
`notifications/data/consular_policies.csv`, the Convention's default for every other country).
Safe to run again: a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jembatan.core import request_context
from jembatan.notifications.policies import DATA_FILE, consular_policies_load


class Command(BaseCommand):
    help = "Load the country consular policies (run after load_reference_data). Rows changed by an officer are never overwritten."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help=f"CSV file to load (default: {DATA_FILE}).")

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context.bind(actor=None, channel="command"):
            report = consular_policies_load(path=options["file"])
        self.stdout.write(
            f"Consular policies: {report.created + report.defaults_created} created "
            f"({report.defaults_created} Convention defaults), {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped} skipped (changed by an officer)"
        )
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} row(s) could not be loaded; correct the file and run the command again.")
        self.stdout.write(self.style.SUCCESS("Done."))
