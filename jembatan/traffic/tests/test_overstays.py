"""Overstays: who counts, days over, filters, the register person and the "proposed" mark;
the daily scan that alerts supervisors. Proposing the art. 78 actions is the case
register's: jembatan/cases/tests/test_overstay_proposals.py."""

from __future__ import annotations

import datetime as dt

import pytest

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import Case
from jembatan.core.exceptions import PermissionDenied
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.overstays import OverstayFilters, overstays, overstays_scan
from jembatan.traffic.tests.query_support import at, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def days_before(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def overstayer(document: str, days: int, *, arrived: dt.date | None = None, **kwargs) -> object:
    """A traveller who arrived and whose permit expired `days` days before TODAY."""
    expires = days_before(days)
    arrived = arrived or expires - dt.timedelta(days=29)
    crossing(
        document,
        at(arrived.year, arrived.month, arrived.day),
        "A",
        **{k: v for k, v in kwargs.items() if k in ("state", "surname", "given_names")},
    )
    return permit(document, arrived, expires, **kwargs)


def listed(actor, **kwargs) -> list[tuple[str, int]]:
    return [(o.document_number, o.days_over) for o in overstays(actor=actor, as_of=TODAY, **kwargs)]


def test_who_counts_as_an_overstayer(tq):
    overstayer("OVER32", 32)
    overstayer("OVER1", 1)
    permit("TODAYLAST", days_before(30), TODAY)  # last day today: not over yet
    # Left before the permit ended.
    crossing("LEFT", at(2026, 4, 1), "A")
    crossing("LEFT", at(2026, 4, 20), "D")
    permit("LEFT", dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    # Left late: the overstay ended with the departure.
    crossing("LEFTLATE", at(2026, 3, 1), "A")
    crossing("LEFTLATE", at(2026, 5, 10), "D")
    permit("LEFTLATE", dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    # Renewed before expiry.
    crossing("RENEWED", at(2026, 3, 1), "A")
    permit("RENEWED", dt.date(2026, 3, 1), dt.date(2026, 3, 30), status="converted")
    permit("RENEWED", dt.date(2026, 3, 25), dt.date(2027, 3, 24), permit_type="limited_stay")
    # Renewed, then the renewal expired too: counted from the renewal's end.
    crossing("RENEWEDOVER", at(2026, 1, 1), "A")
    permit("RENEWEDOVER", dt.date(2026, 1, 1), dt.date(2026, 1, 30), status="expired")
    permit("RENEWEDOVER", dt.date(2026, 1, 28), dt.date(2026, 3, 2), status="expired")
    # Never seen crossing (entered before the records), permit expired.
    permit("NOCROSSING", dt.date(2025, 1, 1), days_before(7))
    # Cancelled permit, a citizen's record: not counted.
    permit("CANCELLED", dt.date(2026, 1, 1), days_before(10), status="cancelled")
    permit("CITIZEN", dt.date(2026, 1, 1), days_before(10), permit_type="citizen", state="IDN")
    # Came back after the permit expired with no new permit: not counted here.
    crossing("CAMEBACK", at(2026, 3, 1), "A")
    crossing("CAMEBACK", at(2026, 3, 10), "D")
    permit("CAMEBACK", dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    crossing("CAMEBACK", at(2026, 4, 15), "A")
    assert listed(tq.supervisor) == [("RENEWEDOVER", 91), ("OVER32", 32), ("NOCROSSING", 7), ("OVER1", 1)]


def test_crossings_after_as_of_are_ignored(tq):
    overstayer("LATER", 10)
    crossing("LATER", at(2026, 6, 5), "D")
    assert listed(tq.supervisor) == [("LATER", 10)]
    assert overstays(actor=tq.supervisor, as_of=dt.date(2026, 6, 10)) == []


def test_arrival_on_the_last_day_in_local_time_counts(tq):
    # Arrived 23:30 WIB on the permit's last day (16:30 UTC): still "before expiry".
    crossing("LASTDAY", dt.datetime(2026, 5, 1, 16, 30, tzinfo=dt.UTC), "A")
    permit("LASTDAY", dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    assert listed(tq.supervisor) == [("LASTDAY", 31)]


def test_filters_min_days_and_bands(tq):
    overstayer("AUS10", 10, state="AUS", province="Bali")
    overstayer("JPN45", 45, state="JPN", province="DKI Jakarta")
    overstayer("JPN90", 90, state="JPN", province="Bali")
    overstayer("AUS400", 400, state="AUS", province="Bali")
    assert listed(tq.supervisor, filters=OverstayFilters(nationality="jpn")) == [("JPN90", 90), ("JPN45", 45)]
    assert listed(tq.supervisor, filters=OverstayFilters(band="31-60")) == [("JPN45", 45)]
    assert listed(tq.supervisor, filters=OverstayFilters(band="61-180")) == [("JPN90", 90)]
    assert listed(tq.supervisor, filters=OverstayFilters(band="366-")) == [("AUS400", 400)]
    assert listed(tq.supervisor, filters=OverstayFilters(province="bali")) == [("AUS400", 400), ("JPN90", 90), ("AUS10", 10)]
    assert listed(tq.supervisor, min_days=45) == [("AUS400", 400), ("JPN90", 90), ("JPN45", 45)]


def test_listing_is_audited_and_scoped(tq):
    overstayer("OVER32", 32)
    overstays(actor=tq.supervisor, as_of=TODAY, filters=OverstayFilters(nationality="AUS"))
    event = AuditEvent.objects.get(action=AuditAction.OVERSTAYS_VIEWED)
    assert event.actor_id == tq.supervisor.pk
    assert event.data == {"as_of": "2026-06-01", "min_days": 1, "nationality": "AUS"}
    for actor in (tq.officer, tq.consular, tq.mission_officer):
        with pytest.raises(PermissionDenied):
            overstays(actor=actor, as_of=TODAY)


def test_the_register_person_holding_the_document_is_attached(tq):
    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="OVER32", issuing_state=CountryFactory(code="AUS"))
    overstayer("OVER32", 32)
    (row,) = overstays(actor=tq.supervisor, as_of=TODAY)
    assert row.person == someone
    assert row.proposed is False


# --- the daily scan ---------------------------------------------------------------------------


def test_scan_alerts_supervisors_once_about_new_overstays(tq):
    overstayer("NEW1", 1)
    overstayer("OLD40", 40)
    assert overstays_scan(today=TODAY) == 1
    alert = Alert.objects.get(recipient=tq.supervisor)
    assert "1" in alert.title
    assert alert.url.startswith("/traffic/overstays/")
    assert alert.dedupe_key == "traffic-overstays-2026-06-01"
    assert not Alert.objects.filter(recipient__in=[tq.officer, tq.consular, tq.analyst]).exists()
    # Same day again: nothing more. Next days: only what began since.
    assert overstays_scan(today=TODAY) == 0
    permit("NEW2", dt.date(2026, 5, 1), TODAY)  # expires today: first day over is tomorrow
    permit("NEW3", dt.date(2026, 5, 2), dt.date(2026, 6, 2))
    assert overstays_scan(today=dt.date(2026, 6, 3)) == 2
    assert Alert.objects.filter(recipient=tq.supervisor).count() == 2
    assert Case.objects.count() == 0


def test_the_scan_is_a_daily_periodic_job(tq, settings):
    from django.utils.module_loading import import_string

    path, period = settings.JOBS_PERIODIC["traffic.overstays_scan"]
    assert period == 24 * 3600
    task = import_string(path)
    overstayer("NEW1", 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
        assert task.call() == 1
    assert Alert.objects.filter(recipient=tq.supervisor).count() == 1
