"""`manage.py audit_verify`: check the hash chain; exit 1 and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jembatan.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified (last id {result.last_id})."))
            return
        raise CommandError(
            f"Audit chain BROKEN at event id {result.first_broken_id}: {result.reason}. "
            f"{result.checked} events before it verified."
        )
