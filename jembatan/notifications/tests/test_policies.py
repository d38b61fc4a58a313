"""Country consular policies: the data file and its command, effective dates, changes, pages."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, PermissionDenied
from jembatan.notifications.models import CountryPolicy
from jembatan.notifications.policies import DEFAULT_VALID_FROM, consular_policies_load, policy_change, policy_in_force
from jembatan.reference.models import Country
from jembatan.reference.tests.factories import CountryFactory


@pytest.fixture
def countries(db):
    for code, name in (
        ("AUS", "Australia"),
        ("BRN", "Brunei Darussalam"),
        ("PHL", "Philippines"),
        ("JPN", "Japan"),
        ("CHE", "Switzerland"),
    ):
        CountryFactory(code=code, name_en=name, name_id=name)
    CountryFactory(code="D", kind=Country.Kind.ICAO, iso_equivalent="DEU")
    CountryFactory(code="XXA", kind=Country.Kind.ICAO)
    return {c.code: c for c in Country.objects.all()}


@pytest.fixture
def supervisor(make_user):
    return make_user(
        username="konsuler.supervisor", roles=[Role.CONSULAR_SUPERVISOR], agency=AgencyFactory(code="kemlu", kind="foreign_ministry")
    )


@pytest.fixture
def desk(make_user):
    return make_user(username="konsuler", roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(code="kemlu-2", kind="foreign_ministry"))


def test_the_command_loads_the_partners_and_a_default_for_every_country_once(countries):
    out = StringIO()
    call_command("load_consular_policies", stdout=out)
    assert "8 created" not in out.getvalue()
    assert "5 created (2 Convention defaults)" in out.getvalue()
    for code in ("AUS", "BRN", "PHL"):
        policy = CountryPolicy.objects.get(country__code=code)
        assert (policy.mode, policy.deadline_hours, policy.automatic_dispatch, policy.valid_to) == ("mandatory", 24, False, None)
        assert policy.valid_from == dt.date(2018, 10, 31)
        assert "medcom.id" in policy.source_instrument
        assert "[confidence: medium]" in policy.source_instrument
        assert policy.languages == ["id", "en"]
        assert policy.covers_protected_persons is False
    japan = CountryPolicy.objects.get(country__code="JPN")
    assert (japan.mode, japan.deadline_hours, japan.automatic_dispatch, japan.languages) == ("on_request", 72, False, ["id", "en"])
    assert japan.valid_from == DEFAULT_VALID_FROM
    # ICAO codes (D, XXA) get no row: D is read as DEU, XXA names no State.
    assert not CountryPolicy.objects.filter(country__kind=Country.Kind.ICAO).exists()
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_POLICY_CREATED).count() == 1

    again = StringIO()
    call_command("load_consular_policies", stdout=again)
    assert "0 created (0 Convention defaults), 0 updated, 5 unchanged" in again.getvalue()
    assert CountryPolicy.objects.count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_POLICY_CREATED).count() == 1


def test_a_row_added_to_the_file_later_closes_the_default(countries, tmp_path):
    consular_policies_load()
    data = tmp_path / "policies.csv"
    data.write_text(
        "country_iso3,mode,deadline_hours,automatic_dispatch,languages,covers_protected_persons,excludes_permanent_residents,"
        "protecting_power_iso3,valid_from,agreement_reference,scope_notes,source,confidence\n"
        "JPN,mandatory,48,true,id en ja,false,true,,2030-01-01,Test agreement,Residents excluded,Test source,low\n",
        encoding="utf-8",
    )
    report = consular_policies_load(path=data)
    assert (report.created, report.defaults_created) == (1, 0)
    old, new = CountryPolicy.objects.filter(country__code="JPN").order_by("valid_from")
    assert old.valid_to == dt.date(2030, 1, 1)
    assert new.valid_to is None
    assert new.languages == ["id", "en", "ja"]
    assert new.automatic_dispatch
    assert new.excludes_permanent_residents


def test_policy_in_force_follows_the_dates(countries, supervisor):
    consular_policies_load()
    australia = countries["AUS"]
    assert policy_in_force(australia, dt.datetime(2015, 6, 1, tzinfo=dt.UTC)) is None  # before the statement: the default applies
    in_2020 = policy_in_force(australia, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert in_2020 is not None
    assert in_2020.mode == "mandatory"
    # 30 Oct 2018 17:30 UTC is already 31 Oct in Jakarta: the day is Indonesian.
    assert policy_in_force("AUS", dt.datetime(2018, 10, 30, 17, 30, tzinfo=dt.UTC)) == in_2020
    assert policy_in_force("AUS", dt.datetime(2018, 10, 30, 16, 30, tzinfo=dt.UTC)) is None


def test_a_change_closes_the_current_version_and_is_audited(countries, supervisor):
    consular_policies_load()
    before = policy_in_force("PHL", timezone.now())
    start = timezone.localdate() + dt.timedelta(days=10)
    new = policy_change(actor=supervisor, country="PHL", valid_from=start, deadline_hours=12, automatic_dispatch=True)
    before.refresh_from_db()
    assert before.valid_to == start
    assert (new.mode, new.deadline_hours, new.automatic_dispatch, new.source_instrument) == (
        "mandatory",
        12,
        True,
        before.source_instrument,
    )  # fields not given are carried over
    assert new.changed_by == supervisor
    assert policy_in_force("PHL", timezone.now()) == before  # until the new date
    assert policy_in_force("PHL", start) == new
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_POLICY_CHANGED)
    assert audit.data["changes"] == {"deadline_hours": [24, 12], "automatic_dispatch": [False, True]}
    assert audit.actor_id == supervisor.pk


def test_a_change_is_refused_with_named_fields(countries, supervisor, desk):
    consular_policies_load()
    with pytest.raises(PermissionDenied):
        policy_change(actor=desk, country="JPN", valid_from=dt.date(2030, 1, 1), mode="mandatory")
    with pytest.raises(ApplicationError) as error:
        policy_change(actor=supervisor, country="JPN", valid_from=dt.date(1970, 1, 1))
    assert error.value.field == "valid_from"
    with pytest.raises(ApplicationError) as error:
        policy_change(
            actor=supervisor,
            country="JPN",
            valid_from=dt.date(2030, 1, 1),
            mode="mandatory",
            deadline_hours=0,
            languages="id en x1",
            source_instrument="",
        )
    fields = [e["field"] for e in error.value.extra["errors"]]
    assert fields == ["deadline_hours", "languages", "source_instrument"]
    with pytest.raises(ApplicationError) as error:
        policy_change(actor=supervisor, country="JPN", valid_from=dt.date(2030, 1, 1), protecting_power="JPN")
    assert error.value.field == "protecting_power"
    assert CountryPolicy.objects.filter(country__code="JPN").count() == 1


def test_the_list_and_history_pages(client, login, countries, desk, supervisor):
    consular_policies_load()
    login(desk)
    page = client.get("/notifications/policies/", {"mode": "mandatory"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Australia" in html
    assert "Philippines" in html
    assert "Japan" not in html
    assert "/notifications/policies/AUS/new/" not in client.get("/notifications/policies/AUS/").content.decode()
    found = client.get("/notifications/policies/", {"q": "jap"}).content.decode()
    assert "Japan" in found
    assert "Australia" not in found
    history = client.get("/notifications/policies/AUS/").content.decode()
    assert "medcom.id" in history
    assert client.get("/notifications/policies/AUS/new/").status_code == 403
    assert client.get("/notifications/policies/ZZZ/").status_code == 404


def test_a_supervisor_records_a_new_version_through_the_form(client, login, countries, supervisor):
    consular_policies_load()
    login(supervisor)
    url = "/notifications/policies/JPN/new/"
    form = client.get(url)
    assert form.status_code == 200
    refused = client.post(
        url, {"valid_from_0": "1", "valid_from_1": "1", "valid_from_2": "2031", "mode": "mandatory", "deadline_hours": "48"}
    )
    assert refused.status_code == 400
    assert 'href="#id_source_instrument"' in refused.content.decode()
    response = client.post(
        url,
        {
            "valid_from_0": "1",
            "valid_from_1": "1",
            "valid_from_2": "2031",
            "mode": "mandatory",
            "deadline_hours": "48",
            "languages": "id en ja",
            "source_instrument": "Exchange of notes, 2030",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/policies/JPN/"
    new = CountryPolicy.objects.get(country__code="JPN", valid_from=dt.date(2031, 1, 1))
    assert (new.mode, new.deadline_hours, new.languages) == ("mandatory", 48, ["id", "en", "ja"])
    assert "Exchange of notes, 2030" in client.get("/notifications/policies/JPN/").content.decode()


def test_the_pages_need_the_capability(client, login, countries, make_user):
    login(make_user(username="imigrasi", roles=[Role.IMMIGRATION_OFFICER], agency=AgencyFactory(code="imi", kind="immigration")))
    assert client.get("/notifications/policies/").status_code == 403
