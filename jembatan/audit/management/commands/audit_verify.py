"""`manage.py audit_verify`: check the hash chain; exit 1 and name the first broken link.

With `--anchor ID:HASH` (repeatable) it also checks the chain against head hashes kept
outside the database (docs/adr/0003-audit-hash-chain.md): that catches what the chain alone
cannot, a log cut short at the end or rewritten from some point on with fresh hashes.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jembatan.audit.models import AuditEvent
from jembatan.audit.services import audit_chain_verify

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    match = ANCHOR.match(value.strip().lower())
    if not match:
        raise CommandError(f"--anchor must look like 1234:<64 hex digits>, not {value!r}")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="An event id and the hash it had when it was recorded outside the database (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = [_anchor(value) for value in options["anchor"]]
        result = audit_chain_verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at event id {result.first_broken_id}: {result.reason}. {result.checked} events before it verified."
            )
        for event_id, expected in anchors:
            stored = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
            if stored is None:
                raise CommandError(f"Audit chain BROKEN at event id {event_id}: the anchored event is missing (the log was cut short).")
            if stored != expected:
                raise CommandError(
                    f"Audit chain BROKEN at event id {event_id}: its hash differs from the anchor (the log was rewritten from there or earlier)."
                )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified (last id {result.last_id})."))
        if result.last_id is not None:
            # The line to keep outside the database, e.g. in the daily report to the other ministry.
            self.stdout.write(f"Head: {result.last_id}:{result.last_hash}")
        if anchors:
            self.stdout.write(f"{len(anchors)} anchor(s) match.")
