"""`manage.py seed_demo_portal`: the embassy portal's demo data.

Run after `seed_demo`, `seed_demo_missions`, `seed_demo_cases` and
`seed_demo_notifications`. Through the services a user would use:

1. notification addresses (`MissionContact`) for the Australian and Japanese embassies
   (`.example` domains only), registered by the Kemlu demo administrator;
2. two whereabouts inquiries from the Australian embassy: one answered by the consular
   desk from the case register, one still open;
3. a message thread about an Australian national notified to the embassy: the mission
   asks, the desk answers.

Idempotent: each step runs only while its result is absent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jembatan.accounts.models import Agency, User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import HELD_STATUSES
from jembatan.cases.models import Case
from jembatan.missions.models import MissionContact
from jembatan.notifications.models import Notification
from jembatan.notifications.querysets import MISSION_VISIBLE_STATUSES
from jembatan.portal.models import MessageThread, WhereaboutsInquiry
from jembatan.portal.services import accounts as account_services
from jembatan.portal.services import inquiries as inquiry_services
from jembatan.portal.services import messages as message_services

ADMIN = "demo.admin.kemlu"
DESK = "demo.konsuler"
MISSION_OFFICER = "demo.kedubes.au"
CONTACTS = {
    "kedubes-aus": [
        ("Consular section", "consular.jakarta@dfat.example", True),
        ("Duty officer (after hours)", "duty.jakarta@dfat.example", True),
    ],
    "kedubes-jpn": [
        ("Consular section", "consular.jakarta@mofa.example", True),
        ("Protocol", "protocol.jakarta@mofa.example", False),
    ],
}


class Command(BaseCommand):
    help = "Mission contacts, whereabouts inquiries and a message thread for the portal demo (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true", help="Run even with production settings.")

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        users = {u.username: u for u in User.objects.filter(username__in=[ADMIN, DESK, MISSION_OFFICER]).select_related("agency")}
        missing = sorted({ADMIN, DESK, MISSION_OFFICER} - set(users))
        if missing:
            raise CommandError(f"Demo users missing ({', '.join(missing)}): run `manage.py seed_demo` first.")
        created = {"contacts": 0, "inquiries": 0, "messages": 0}
        created["contacts"] = self._contacts(users[ADMIN])
        created["inquiries"] = self._inquiries(users[MISSION_OFFICER], users[DESK])
        created["messages"] = self._messages(users[MISSION_OFFICER], users[DESK])
        audit_record(
            action=AuditAction.DEMO_DATA_LOADED, target=("portal.whereaboutsinquiry", "", "portal demo data"), data={"created": created}
        )
        summary = ", ".join(f"{n} {what}" for what, n in created.items())
        self.stdout.write(self.style.SUCCESS(f"Portal demo data ready; created {summary}."))

    def _contacts(self, admin: User) -> int:
        count = 0
        for code, rows in CONTACTS.items():
            agency = Agency.objects.filter(code=code).select_related("mission").first()
            if agency is None or agency.mission is None:
                self.stdout.write(f"No agency {code}: skipping its contacts.")
                continue
            for label, email, receives in rows:
                if MissionContact.objects.filter(mission=agency.mission, email=email).exists():
                    continue
                account_services.mission_contact_create(
                    actor=admin, mission=agency.mission, label=label, email=email, receives_notifications=receives
                )
                count += 1
        return count

    def _inquiries(self, officer: User, desk: User) -> int:
        mission = officer.agency.mission if officer.agency else None
        if mission is None or WhereaboutsInquiry.objects.filter(is_demo=True, mission=mission).exists():
            return 0
        detained = (
            Case.objects.filter(
                is_demo=True,
                status__in=list(HELD_STATUSES),
                person__nationality_links__country=mission.country,
                person__is_refugee=False,
                person__is_asylum_seeker=False,
            )
            .exclude(detention_centre__isnull=True)
            .select_related("person")
            .order_by("occurred_at", "reference")
            .first()
        )
        with transaction.atomic():
            ids = []
            if detained is not None:
                person = detained.person
                answered = inquiry_services.inquiry_create(
                    actor=officer,
                    surname=person.surname,
                    given_names=person.given_names,
                    birth_year=person.birth_year,
                    birth_month=person.birth_month,
                    purpose="family",
                    purpose_text="The family in Perth has not heard from him for two weeks.",
                )
                result = inquiry_services.inquiry_search(actor=desk, inquiry=answered)
                inquiry_services.inquiry_answer(
                    actor=desk, inquiry=answered, answer=inquiry_services.suggested_answer(result) or "No record was found."
                )
                ids.append(answered.pk)
            still_open = inquiry_services.inquiry_create(
                actor=officer,
                surname="HARRIS",
                given_names="OLIVIA GRACE",
                birth_year=1994,
                document_number="PB4417720",
                purpose="welfare",
            )
            ids.append(still_open.pk)
            WhereaboutsInquiry.objects.filter(pk__in=ids).update(is_demo=True)
        return len(ids)

    def _messages(self, officer: User, desk: User) -> int:
        notification = (
            Notification.objects.visible_to(officer)
            .filter(status__in=MISSION_VISIBLE_STATUSES)
            .order_by("dispatched_at", "reference")
            .first()
        )
        if notification is None:
            self.stdout.write("No notification dispatched to the Australian embassy yet: run seed_demo_notifications first; no thread.")
            return 0
        if MessageThread.objects.filter(case_id=notification.case_id, mission_id=notification.mission_id, messages__isnull=False).exists():
            return 0
        thread = message_services.thread_open(actor=officer, notification=notification)
        message_services.message_send(
            actor=officer,
            thread=thread,
            body=f"Thank you for notification {notification.reference}. Could you confirm whether he needs medication, and whether an interpreter will be present at the hearing?",
        )
        message_services.message_send(
            actor=desk,
            thread=thread,
            body="Terima kasih. The detention centre confirms he sees the doctor daily. An English interpreter is arranged for the hearing.",
        )
        return 2
