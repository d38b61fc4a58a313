"""`manage.py import_accredited FILE`: load the registry of accredited persons from a CSV file.

The same import as the page (docs/accredited-persons-import.md): all or nothing, upsert
by card number (or document number and issuing state), audited. With `--check` nothing
is written; every problem is printed with its row, column and what to do, in Indonesian
and English, and the command exits with an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jembatan.missions.importing import ImportPlan, ImportRejected, accredited_import_apply, accredited_import_check


class Command(BaseCommand):
    help = "Import accredited persons from a CSV file, all or nothing. Safe to run again with the same file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the CSV file (UTF-8, columns as in docs/accredited-persons-import.md)")
        parser.add_argument("--check", action="store_true", help="Only check the file and report; write nothing.")
        parser.add_argument("--user", default="", help="Username recorded in the audit log as the importer (default: system).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['user']!r}.")
        try:
            if options["check"]:
                plan = accredited_import_check(actor=actor, content=content, filename=path.name)
            else:
                plan = accredited_import_apply(actor=actor, content=content, filename=path.name)
        except ImportRejected as exc:
            plan = exc.plan
        if not plan.ok:
            self._report_problems(plan)
            raise CommandError(
                f"{plan.rows_with_problems or 'The file'} row(s) with problems; nothing was imported. "
                f"/ {plan.rows_with_problems or 'Berkas'} baris bermasalah; tidak ada yang diimpor."
            )
        verb = "would add" if options["check"] else "added"
        self.stdout.write(
            self.style.SUCCESS(
                f"{plan.rows_ready} rows ready: {verb} {plan.created}, "
                f"{'would update' if options['check'] else 'updated'} {plan.updated}, unchanged {plan.unchanged}."
            )
        )

    def _report_problems(self, plan: ImportPlan) -> None:
        self.stderr.write(f"{plan.rows_ready} rows ready, {plan.rows_with_problems} rows with problems:")
        for problem in plan.problems:
            where = f"row {problem.row}" if problem.row else "file"
            column = f", column {problem.column}" if problem.column else ""
            self.stderr.write(f"  {where}{column}: {problem.message_in('en')} / {problem.message_in('id')}")
