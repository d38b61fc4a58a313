"""Exit and entry bans: statutory lengths, extensions, lifelong entry bans, automatic lapse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.bans import ban_extend, ban_lapse, ban_validate, bans_lapse, bans_lapse_job
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import CaseEvent
from jembatan.cases.tests.test_rules_support import make_case
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

EXIT, ENTRY = CaseKind.EXIT_BAN, CaseKind.ENTRY_BAN
JAN_1 = dt.date(2026, 1, 1)


# --- first period --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "starts_on", "ends_on", "field"),
    [
        (EXIT, JAN_1, dt.date(2026, 6, 30), None),  # exactly 6 months, both days included
        (EXIT, JAN_1, dt.date(2026, 7, 1), "ends_on"),  # one day too long
        (EXIT, dt.date(2026, 8, 31), dt.date(2027, 2, 27), None),  # 31 Aug + 6 months = end of February
        (EXIT, dt.date(2026, 8, 31), dt.date(2027, 2, 28), "ends_on"),
        (EXIT, JAN_1, JAN_1, "ends_on"),  # the end must be after the start
        (EXIT, JAN_1, dt.date(2025, 12, 31), "ends_on"),
        (EXIT, None, JAN_1, "starts_on"),
        (EXIT, JAN_1, None, "ends_on"),  # a new ban always has an end
        (ENTRY, JAN_1, dt.date(2035, 12, 31), None),  # exactly 10 years
        (ENTRY, JAN_1, dt.date(2036, 1, 1), "ends_on"),
        (ENTRY, JAN_1, None, "ends_on"),  # lifelong only by extension, with a reason
        (CaseKind.DETENTION, None, None, None),  # not a ban: nothing to check
    ],
)
def test_ban_validate(kind, starts_on, ends_on, field):
    if field is None:
        ban_validate(kind, starts_on, ends_on)
        return
    with pytest.raises(ApplicationError) as error:
        ban_validate(kind, starts_on, ends_on)
    assert error.value.field == field


# --- extensions ----------------------------------------------------------------------------


@pytest.fixture
def immigration():
    return AgencyFactory(kind=Agency.Kind.IMMIGRATION)


@pytest.fixture
def officer(make_user, immigration):
    return make_user(roles=[Role.IMMIGRATION_OFFICER], agency=immigration)


def _ban(kind, agency, *, status=CaseStatus.ACTIVE, starts_on=JAN_1, ends_on=dt.date(2026, 6, 30), **fields):
    return make_case(kind=kind, status=status, agency=agency, starts_on=starts_on, ends_on=ends_on, requesting_agency="KPK", **fields)


def test_exit_ban_extends_once_by_at_most_six_months(officer, immigration):
    ban = _ban(EXIT, immigration)
    with pytest.raises(ApplicationError) as too_long:
        ban_extend(actor=officer, case=ban, new_end=dt.date(2027, 1, 1), reason="")
    assert too_long.value.field == "new_end"
    assert "2026-12-31" in too_long.value.message
    with pytest.raises(ApplicationError) as not_later:
        ban_extend(actor=officer, case=ban, new_end=dt.date(2026, 6, 30), reason="")
    assert not_later.value.field == "new_end"
    with pytest.raises(ApplicationError) as lifelong:
        ban_extend(actor=officer, case=ban, new_end=None, reason="dangerous")
    assert lifelong.value.field == "new_end"

    extended = ban_extend(actor=officer, case=ban, new_end=dt.date(2026, 12, 31), reason="Penyidikan belum selesai.")
    assert (extended.ends_on, extended.extension_count) == (dt.date(2026, 12, 31), 1)
    ban.refresh_from_db()
    assert (ban.ends_on, ban.extension_count, ban.status) == (dt.date(2026, 12, 31), 1, CaseStatus.ACTIVE)
    entry = CaseEvent.objects.get(case=ban, kind=CaseEvent.Kind.EXTENDED)
    assert entry.actor_id == officer.pk
    assert entry.data == {
        "previous_end": "2026-06-30",
        "new_end": "2026-12-31",
        "lifetime": False,
        "extension": 1,
        "reason": "Penyidikan belum selesai.",
    }
    audit = AuditEvent.objects.get(action=AuditAction.CASE_BAN_EXTENDED)
    assert audit.object_id == str(ban.pk)
    assert audit.data["new_end"] == "2026-12-31"

    with pytest.raises(Conflict) as twice:
        ban_extend(actor=officer, case=ban, new_end=dt.date(2027, 3, 1), reason="again")
    assert twice.value.field == "extension_count"
    assert CaseEvent.objects.filter(case=ban, kind=CaseEvent.Kind.EXTENDED).count() == 1


def test_entry_ban_extends_by_at_most_ten_years_and_may_become_lifelong_with_a_reason(officer, immigration):
    ban = _ban(ENTRY, immigration, ends_on=dt.date(2030, 12, 31))
    with pytest.raises(ApplicationError) as too_long:
        ban_extend(actor=officer, case=ban, new_end=dt.date(2041, 1, 1), reason="")
    assert too_long.value.field == "new_end"
    ban_extend(actor=officer, case=ban, new_end=dt.date(2040, 12, 31), reason="")
    with pytest.raises(ApplicationError) as no_reason:
        ban_extend(actor=officer, case=ban, new_end=None, reason="   ")
    assert no_reason.value.field == "reason"

    lifelong = ban_extend(actor=officer, case=ban, new_end=None, reason="Jaringan narkotika internasional.")
    assert (lifelong.ends_on, lifelong.extension_count) == (None, 2)
    last = CaseEvent.objects.filter(case=ban, kind=CaseEvent.Kind.EXTENDED).order_by("-recorded_at").first()
    assert last.data["lifetime"] is True
    assert last.data["new_end"] is None
    assert last.data["previous_end"] == "2040-12-31"
    assert "Jaringan narkotika" in last.summary
    with pytest.raises(Conflict) as beyond:
        ban_extend(actor=officer, case=ban, new_end=dt.date(2060, 1, 1), reason="more")
    assert beyond.value.field == "ends_on"


def test_only_a_ban_in_force_can_be_extended(officer, immigration):
    requested = _ban(EXIT, immigration, status=CaseStatus.REQUESTED)
    with pytest.raises(Conflict) as error:
        ban_extend(actor=officer, case=requested, new_end=dt.date(2026, 9, 1), reason="")
    assert error.value.field == "status"
    detention = make_case(kind=CaseKind.DETENTION, agency=immigration)
    with pytest.raises(Conflict):
        ban_extend(actor=officer, case=detention, new_end=dt.date(2026, 9, 1), reason="")


def test_extension_needs_the_ban_in_the_actors_reach(officer, immigration, make_user):
    ban = _ban(EXIT, immigration)
    other = make_user(roles=[Role.IMMIGRATION_OFFICER], agency=AgencyFactory(kind=Agency.Kind.IMMIGRATION))
    with pytest.raises(NotFound):
        ban_extend(actor=other, case=ban, new_end=dt.date(2026, 9, 1), reason="")
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MINISTRY))
    with pytest.raises(PermissionDenied):  # sees the (notifiable) ban, may not change it
        ban_extend(actor=consular, case=ban, new_end=dt.date(2026, 9, 1), reason="")
    ban.refresh_from_db()
    assert (ban.ends_on, ban.extension_count) == (dt.date(2026, 6, 30), 0)
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_BAN_EXTENDED).exists()


# --- lapse -----------------------------------------------------------------------------------


def test_bans_lapse_after_their_last_day_once(immigration):
    ended = _ban(EXIT, immigration, ends_on=dt.date(2026, 6, 30), time_zone="Asia/Makassar")
    last_day = _ban(ENTRY, immigration, ends_on=dt.date(2026, 7, 1))
    lifelong = _ban(ENTRY, immigration, ends_on=None)
    requested = _ban(EXIT, immigration, status=CaseStatus.REQUESTED, ends_on=dt.date(2026, 3, 1))
    revoked = _ban(EXIT, immigration, status=CaseStatus.REVOKED, ends_on=dt.date(2026, 3, 1))

    assert bans_lapse(today=dt.date(2026, 7, 1)) == 1
    assert bans_lapse(today=dt.date(2026, 7, 1)) == 0  # idempotent
    for case, status in ((ended, "lapsed"), (last_day, "active"), (lifelong, "active"), (requested, "requested"), (revoked, "revoked")):
        case.refresh_from_db()
        assert case.status == status, case
    entry = CaseEvent.objects.get(kind=CaseEvent.Kind.LAPSED)
    assert entry.case_id == ended.pk
    assert (entry.actor_id, entry.actor_label) == (None, "system")
    assert (entry.from_status, entry.to_status) == ("active", "lapsed")
    # It lapsed at the start of 1 July in the place's zone (WITA).
    assert entry.occurred_at == dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)
    assert entry.data == {"ends_on": "2026-06-30", "extension_count": 0}
    audit = AuditEvent.objects.get(action=AuditAction.CASE_BAN_LAPSED)
    assert audit.actor_id is None
    assert audit.object_id == str(ended.pk)
    assert ban_lapse(case=ended, today=dt.date(2026, 7, 2)) is False

    assert bans_lapse(today=dt.date(2026, 7, 2)) == 1
    last_day.refresh_from_db()
    assert last_day.status == CaseStatus.LAPSED
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.LAPSED).count() == 2


def test_lapse_catches_up_everything_missed(immigration):
    """A worker down for months lapses every ban that ended meanwhile on its next run."""
    old = [_ban(EXIT, immigration, ends_on=dt.date(2025, month, 28)) for month in (1, 4, 9)]
    assert bans_lapse(today=JAN_1) == 3
    assert {c.status for c in type(old[0]).objects.filter(pk__in=[c.pk for c in old])} == {"lapsed"}


def test_an_extended_ban_does_not_lapse_on_its_first_end(officer, immigration):
    ban = _ban(EXIT, immigration, starts_on=JAN_1, ends_on=dt.date(2026, 6, 30))
    ban_extend(actor=officer, case=ban, new_end=dt.date(2026, 12, 31), reason="")
    assert bans_lapse(today=dt.date(2026, 7, 15)) == 0
    assert bans_lapse(today=dt.date(2027, 1, 1)) == 1


def test_the_job_uses_each_zones_own_date(immigration):
    today_wib = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    yesterday = today_wib - dt.timedelta(days=3)
    jakarta = _ban(EXIT, immigration, starts_on=yesterday - dt.timedelta(days=30), ends_on=yesterday, time_zone="Asia/Jakarta")
    jayapura = _ban(EXIT, immigration, starts_on=yesterday - dt.timedelta(days=30), ends_on=yesterday, time_zone="Asia/Jayapura")
    running = _ban(ENTRY, immigration, starts_on=today_wib, ends_on=today_wib + dt.timedelta(days=400))
    assert bans_lapse_job.call() == 2
    assert bans_lapse_job.call() == 0
    for case, status in ((jakarta, "lapsed"), (jayapura, "lapsed"), (running, "active")):
        case.refresh_from_db()
        assert case.status == status


def test_officer_extends_an_exit_ban_from_the_case_page(client, login, officer, immigration):
    """The case page offers the extension for a ban in force; the law's limits show as a
    message naming what to fix, and the extension lands on the timeline."""
    ban = _ban(EXIT, immigration)
    login(officer)
    page = client.get(f"/cases/{ban.pk}/").content.decode()
    assert 'id="extend"' in page
    assert f"/cases/{ban.pk}/extend/" in page

    too_long = client.post(f"/cases/{ban.pk}/extend/", {"new_end": "2027-01-01", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "2026-12-31" in too_long.content.decode()
    ban.refresh_from_db()
    assert ban.extension_count == 0

    bad_date = client.post(f"/cases/{ban.pk}/extend/", {"new_end": "31/12/2026"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Enter the new end date of the ban" in bad_date.content.decode()

    done = client.post(f"/cases/{ban.pk}/extend/", {"new_end": "2026-12-31", "reason": "Penyidikan belum selesai."}, follow=True)
    assert done.status_code == 200
    ban.refresh_from_db()
    assert (ban.ends_on, ban.extension_count) == (dt.date(2026, 12, 31), 1)
    assert CaseEvent.objects.filter(case=ban, kind=CaseEvent.Kind.EXTENDED).count() == 1
    assert 'id="extend"' in client.get(f"/cases/{ban.pk}/").content.decode()  # still in force


def test_the_extension_is_not_offered_outside_scope(client, login, make_user, officer, immigration):
    ban = _ban(EXIT, immigration)
    stranger = make_user(roles=[Role.IMMIGRATION_OFFICER])  # another agency
    login(stranger)
    assert client.post(f"/cases/{ban.pk}/extend/", {"new_end": "2026-12-31"}).status_code == 404
    ban.refresh_from_db()
    assert ban.extension_count == 0


def test_a_lifelong_entry_ban_reads_for_life_on_the_case_page(client, login, officer, immigration):
    ban = _ban(CaseKind.ENTRY_BAN, immigration, ends_on=dt.date(2030, 1, 1))
    ban_extend(actor=officer, case=ban, new_end=None, reason="Terlibat jaringan narkotika internasional.")
    login(officer)
    html = client.get(f"/cases/{ban.pk}/").content.decode()
    assert "seumur hidup" in html
