"""`manage.py seed_demo_notifications`: consular notifications, acknowledgements and visits
on the demo cases, so the inbox, the overdue list and the KPIs show real numbers.

Run after `seed_demo`, `seed_demo_missions` and `seed_demo_cases`. Steps, each through the
services a user would use:

1. the detaining officer records the person's answer on consular notification for demo
   detentions that have none (most ask for notice, every fifth declines);
2. the engine assesses every pending timeline entry (`engine.assess_pending`);
3. the consular officer dispatches all but the last two notifications to check (those stay
   in the inbox, overdue); the demo dispatch times are then set back to a plausible number
   of hours after the detention (some after the deadline), so the KPIs have a spread;
4. about two thirds of the dispatched are acknowledged (portal where the mission has a demo
   user, otherwise by telephone), a few late;
5. consular access: requests with visits, one refusal, one request left unanswered past its
   deadline.

Idempotent: each step runs only while its result is absent (no demo notification dispatched
by the demo desk yet, none acknowledged yet, no demo access request yet), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from jembatan.accounts.models import User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import RIGHTS_ADVICE_KINDS
from jembatan.cases.models import Case, ConsularRightsAdvice, RightsAnswer
from jembatan.notifications.models import AccessRequest, Notification, NotificationStatus

DESK = "demo.konsuler"
HOSTS = ("demo.imigrasi", "demo.lapas")
KEEP_TO_CHECK = 2


def _spread(key: str, low: int, high: int) -> int:
    """A deterministic number in [low, high] from `key`."""
    return low + zlib.crc32(key.encode()) % (high - low + 1)


class Command(BaseCommand):
    help = "Consular notifications, acknowledgements and visits on the demo cases (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print only the summary line.")
        parser.add_argument("--allow-production", action="store_true", help="Run even with production settings.")

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production to override).")
        for noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        desk = User.objects.filter(username=DESK).first()
        if desk is None:
            raise CommandError("Run `manage.py seed_demo` and `seed_demo_cases` first (no demo consular officer).")
        hosts = {u.agency_id: u for u in User.objects.filter(username__in=HOSTS).select_related("agency") if u.agency_id is not None}
        advised = self._advise(hosts)
        from jembatan.notifications.engine import assess_pending

        assessed = 0
        while True:
            done = assess_pending(limit=500)
            assessed += done
            if not done:
                break
        demo = Notification.objects.filter(case__is_demo=True).select_related("case", "mission").order_by("event_at", "reference")
        dispatched = self._dispatch(desk, demo)
        acknowledged = self._acknowledge(desk, demo)
        access = self._access(desk, hosts, demo)
        summary = {
            "rights_advice": advised,
            "assessed": assessed,
            "notifications": demo.count(),
            "dispatched": dispatched,
            "acknowledged": acknowledged,
            "access_requests": access,
        }
        audit_record(action=AuditAction.DEMO_DATA_LOADED, actor=None, data={"seed": "notifications", **summary})
        self.stdout.write("seed_demo_notifications: " + ", ".join(f"{k} {v}" for k, v in summary.items()))

    # --- 1. rights advice -------------------------------------------------------------------

    def _advise(self, hosts: dict[int, User]) -> int:
        try:
            from jembatan.notifications.services import rights_advice_record
        except ImportError:
            return 0
        count = 0
        cases = (
            Case.objects.filter(is_demo=True, kind__in=list(RIGHTS_ADVICE_KINDS), reporting_agency_id__in=list(hosts))
            .exclude(pk__in=ConsularRightsAdvice.objects.values("case_id"))
            .order_by("occurred_at", "reference")
        )
        for index, case in enumerate(cases):
            answer = RightsAnswer.DECLINED if index % 5 == 4 else RightsAnswer.REQUESTED
            informed = min(case.occurred_at + dt.timedelta(minutes=_spread(case.reference, 20, 180)), timezone.now())
            try:
                rights_advice_record(
                    actor=hosts[case.reporting_agency_id],
                    case=case,
                    informed_at=informed,
                    language="en",
                    answer=answer,
                    interpreter="" if index % 3 else "Demo interpreter",
                )
            except Exception as error:  # noqa: BLE001 - a refused demo case is skipped, not fatal
                self.stderr.write(f"  rights advice skipped for {case.reference}: {error}")
                continue
            count += 1
        return count

    # --- 3. dispatch ------------------------------------------------------------------------

    def _dispatch(self, desk: User, demo: Any) -> int:
        if demo.filter(dispatched_by=desk).exists():
            return 0
        from jembatan.notifications.dispatch import notification_dispatch, notification_record_manual_dispatch

        waiting = list(demo.filter(status=NotificationStatus.TO_CHECK))
        count = 0
        for n in waiting[: max(0, len(waiting) - KEEP_TO_CHECK)]:
            try:
                with transaction.atomic():
                    if n.mission_id is None:
                        sent = notification_record_manual_dispatch(
                            actor=desk, notification=n, channel="note", note="Nota diplomatik (data demo)"
                        )
                    else:
                        sent = notification_dispatch(actor=desk, notification=n)
                    # Demo only: a plausible dispatch time after the event, some past the deadline.
                    deadline_hours = (sent.due_at - sent.event_at).total_seconds() / 3600
                    late = _spread(sent.reference, 0, 5) == 0
                    hours = (
                        deadline_hours + _spread(sent.reference, 2, 30)
                        if late
                        else _spread(sent.reference, 2, int(max(3, deadline_hours - 1)))
                    )
                    when = min(sent.event_at + dt.timedelta(hours=hours, minutes=_spread(sent.reference + "m", 0, 59)), timezone.now())
                    Notification.objects.filter(pk=sent.pk).update(dispatched_at=when)
            except Exception as error:  # noqa: BLE001
                self.stderr.write(f"  dispatch skipped for {n.reference}: {error}")
                continue
            count += 1
        return count

    # --- 4. acknowledgement -----------------------------------------------------------------

    def _acknowledge(self, desk: User, demo: Any) -> int:
        if demo.filter(acknowledged_at__isnull=False).exists():
            return 0
        from jembatan.notifications.dispatch import notification_acknowledge

        mission_users = {
            u.agency.mission_id: u
            for u in User.objects.filter(agency__mission__isnull=False, is_active=True).select_related("agency")
            if u.agency is not None and u.has_perm("portal.acknowledge_notification")
        }
        count = 0
        for index, n in enumerate(demo.filter(status=NotificationStatus.DISPATCHED)):
            if index % 3 == 2:
                continue  # left unacknowledged
            n.refresh_from_db()
            slow = index % 7 == 0
            hours = _spread(n.reference + "ack", 80, 200) if slow else _spread(n.reference + "ack", 1, 30)
            when = min(n.dispatched_at + dt.timedelta(hours=hours), timezone.now())  # type: ignore[operator]
            user = mission_users.get(n.mission_id)
            try:
                with transaction.atomic():
                    if user is not None:
                        notification_acknowledge(actor=user, notification=n, channel="portal")
                        Notification.objects.filter(pk=n.pk).update(acknowledged_at=when)
                    else:
                        notification_acknowledge(
                            actor=desk, notification=n, channel="phone", note="Bagian konsuler kedutaan (data demo)", acknowledged_at=when
                        )
            except Exception as error:  # noqa: BLE001
                self.stderr.write(f"  acknowledgement skipped for {n.reference}: {error}")
                continue
            count += 1
        return count

    # --- 5. consular access -----------------------------------------------------------------

    def _access(self, desk: User, hosts: dict[int, User], demo: Any) -> int:
        if AccessRequest.objects.filter(case__is_demo=True).exists():
            return 0
        from jembatan.notifications.access import (
            ACCESS_ANSWER_HOURS,
            access_refuse,
            access_request_create,
            access_schedule,
            visit_record,
        )

        candidates = list(
            demo.filter(
                status__in=(NotificationStatus.DISPATCHED, NotificationStatus.ACKNOWLEDGED),
                mission__isnull=False,
                case__reporting_agency_id__in=list(hosts),
            )
        )
        seen: set[Any] = set()
        chosen = []
        for n in candidates:
            if n.case_id not in seen:
                seen.add(n.case_id)
                chosen.append(n)
        count = 0
        for index, n in enumerate(chosen[:6]):
            host = hosts[n.case.reporting_agency_id]
            try:
                with transaction.atomic():
                    requested_at = min(n.dispatched_at + dt.timedelta(hours=_spread(n.reference + "req", 4, 48)), timezone.now())  # type: ignore[operator]
                    request = access_request_create(
                        actor=desk,
                        case=n.case,
                        mission=n.mission,
                        kind="visit",
                        proposed_times=[requested_at + dt.timedelta(days=2)],
                        officers="Consul (demo)",
                        note="Permintaan kunjungan (data demo)",
                        notification=n,
                    )
                    if index == 5:
                        # Left unanswered, past its deadline.
                        old = timezone.now() - dt.timedelta(hours=ACCESS_ANSWER_HOURS + 20)
                        AccessRequest.objects.filter(pk=request.pk).update(
                            requested_at=old, due_at=old + dt.timedelta(hours=ACCESS_ANSWER_HOURS)
                        )
                    else:
                        AccessRequest.objects.filter(pk=request.pk).update(
                            requested_at=requested_at, due_at=requested_at + dt.timedelta(hours=ACCESS_ANSWER_HOURS)
                        )
                        request.refresh_from_db()
                        if index == 4:
                            access_refuse(actor=host, request=request, reason="Pemeriksaan kesehatan sedang berlangsung (data demo)")
                        else:
                            visit_at = min(requested_at + dt.timedelta(hours=_spread(n.reference + "visit", 20, 96)), timezone.now())
                            access_schedule(actor=host, request=request, scheduled_for=visit_at, note="Ruang kunjungan (data demo)")
                            visit_record(
                                actor=host,
                                case=n.case,
                                mission=n.mission,
                                occurred_at=visit_at,
                                officers="Consul (demo)",
                                outcome="Kunjungan berlangsung (data demo)",
                                duration_minutes=45,
                                access_request=AccessRequest.objects.get(pk=request.pk),
                            )
            except Exception as error:  # noqa: BLE001
                self.stderr.write(f"  access request skipped for {n.case.reference}: {error}")
                continue
            count += 1
        return count
