"""Administrators correct reference data in the Django admin: marked corrected, audited, versioned."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.reference.models import DetentionCentre, ForeignMission
from jembatan.reference.services import reference_data_load
from jembatan.reference.tests.conftest import DATA_DIR
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db


def _centre_form(centre: DetentionCentre, **changes: str) -> dict[str, str]:
    data = {
        "code": centre.code,
        "name_id": centre.name_id,
        "name_en": centre.name_en,
        "city": centre.city,
        "province": centre.province,
        "time_zone": centre.time_zone,
        "valid_from": centre.valid_from.isoformat() if centre.valid_from else "",
        "valid_to": centre.valid_to.isoformat() if centre.valid_to else "",
        "source": centre.source,
        "confidence": centre.confidence,
        "_save": "Save",
    }
    if centre.locally_corrected:
        data["locally_corrected"] = "on"
    data.update(changes)
    return data


def test_admin_change_marks_the_row_corrected_audits_it_and_keeps_history(login, administrator):
    reference_data_load(data_dir=DATA_DIR, tables=["detention_centres"])
    centre = DetentionCentre.objects.get(code="RDN-MDN")
    client = login(administrator)

    response = client.post(
        reverse("admin:reference_detentioncentre_change", args=[centre.pk]),
        _centre_form(centre, name_en="Medan Immigration Detention Centre (Belawan)"),
    )

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.name_en == "Medan Immigration Detention Centre (Belawan)"
    assert centre.locally_corrected is True
    event = AuditEvent.objects.filter(action=AuditAction.REFERENCE_CHANGED).get()
    assert (event.actor, event.object_type, event.object_id) == (administrator, "reference.detentioncentre", str(centre.pk))
    assert event.data["changes"]["name_en"] == {
        "from": "Medan Immigration Detention Centre",
        "to": "Medan Immigration Detention Centre (Belawan)",
    }
    latest = centre.history.first()
    assert latest.history_user == administrator
    assert latest.name_en == "Medan Immigration Detention Centre (Belawan)"

    # and the loader now leaves the corrected row alone
    report = reference_data_load(data_dir=DATA_DIR, tables=["detention_centres"])
    assert report.tables["detention_centres"].skipped == 1
    centre.refresh_from_db()
    assert centre.name_en == "Medan Immigration Detention Centre (Belawan)"

    # the history page lists the versions
    history = client.get(reverse("admin:reference_detentioncentre_history", args=[centre.pk]))
    assert history.status_code == 200
    assert administrator.get_username() in history.content.decode()


def test_unticking_corrected_hands_the_row_back_to_the_loader(login, administrator):
    centre = DetentionCentreFactory(locally_corrected=True)
    client = login(administrator)
    data = _centre_form(centre)
    del data["locally_corrected"]

    client.post(reverse("admin:reference_detentioncentre_change", args=[centre.pk]), data)

    centre.refresh_from_db()
    assert centre.locally_corrected is False
    event = AuditEvent.objects.filter(action=AuditAction.REFERENCE_CHANGED).get()
    assert event.data["released_to_loader"] is True


def test_saving_without_a_change_writes_nothing(login, administrator):
    centre = DetentionCentreFactory()
    client = login(administrator)

    response = client.post(reverse("admin:reference_detentioncentre_change", args=[centre.pk]), _centre_form(centre))

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.locally_corrected is False
    assert not AuditEvent.objects.filter(action=AuditAction.REFERENCE_CHANGED).exists()


def test_admin_add_and_delete_are_audited(login, administrator):
    client = login(administrator)
    data = {
        "code": "RDN-NEW",
        "name_id": "Rumah Detensi Imigrasi Baru",
        "name_en": "New Immigration Detention Centre",
        "city": "Kupang",
        "province": "Nusa Tenggara Timur",
        "time_zone": "Asia/Makassar",
        "source": "Keputusan Menteri (test)",
        "confidence": "medium",
        "_save": "Save",
    }

    response = client.post(reverse("admin:reference_detentioncentre_add"), data)

    assert response.status_code == 302
    centre = DetentionCentre.objects.get(code="RDN-NEW")
    assert centre.locally_corrected is True
    created = AuditEvent.objects.filter(action=AuditAction.REFERENCE_CREATED).get()
    assert created.object_id == str(centre.pk)

    response = client.post(reverse("admin:reference_detentioncentre_delete", args=[centre.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not DetentionCentre.objects.filter(code="RDN-NEW").exists()
    deleted = AuditEvent.objects.filter(action=AuditAction.REFERENCE_DELETED).get()
    assert (deleted.object_id, deleted.object_repr) == (str(centre.pk), str(centre))


def test_bulk_delete_action_audits_each_row(login, administrator):
    rows = [DetentionCentreFactory(), DetentionCentreFactory()]
    client = login(administrator)

    client.post(
        reverse("admin:reference_detentioncentre_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )

    assert DetentionCentre.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.REFERENCE_DELETED).count() == 2


def test_changelist_shows_source_confidence_and_validity(login, administrator):
    source = "https://example.go.id/a-very-long-source-address-that-is-shortened-in-the-list ; Keputusan Menteri 2026"
    DetentionCentreFactory(code="RDN-XYZ", source=source, confidence="low")
    DetentionCentreFactory(code="RDN-ABC", confidence="high")
    client = login(administrator)

    response = client.get(reverse("admin:reference_detentioncentre_changelist"), {"confidence__exact": "low"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "RDN-XYZ" in html
    assert "RDN-ABC" not in html  # filtered by confidence
    assert '<td class="field-short_source">example.go.id (+1)</td>' in html
    assert source not in html
    assert 'column-valid_from"' in html
    assert 'column-locally_corrected"' in html
    assert 'column-short_source"' in html
    assert '<td class="field-confidence_short">Rendah</td>' in html


def test_users_without_the_capability_cannot_use_the_reference_admin(login, make_user):
    officer = make_user(roles=[Role.IMMIGRATION_OFFICER])
    officer.is_staff = True
    officer.save()
    # is_staff is derived from capabilities on save: an officer never becomes staff.
    officer.refresh_from_db()
    assert officer.is_staff is False
    client = login(officer)

    response = client.get(reverse("admin:reference_detentioncentre_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]  # admin login, which forwards to allauth
    index = client.get(reverse("admin:index"))
    assert "reference/detentioncentre" not in index.content.decode()


def test_administrators_become_staff_by_role(make_user):
    """Administrators and protocol officers get admin access from their role, nobody else."""
    assert make_user(roles=[Role.ADMINISTRATOR]).is_staff is True
    assert make_user(roles=[Role.PROTOCOL_OFFICER]).is_staff is True
    assert make_user(roles=[Role.CONSULAR_OFFICER]).is_staff is False
    inactive = make_user(roles=[Role.ADMINISTRATOR], is_active=False)
    assert inactive.is_staff is False


def test_protocol_officers_may_correct_missions_only(login, make_user):
    protocol = make_user(roles=[Role.PROTOCOL_OFFICER])
    protocol.is_staff = True
    protocol.save()
    mission = ForeignMissionFactory(country=CountryFactory(code="JPN", name_en="Japan", name_id="Jepang"))
    client = login(protocol)

    assert client.get(reverse("admin:reference_foreignmission_changelist")).status_code == 200
    assert client.get(reverse("admin:reference_foreignmission_change", args=[mission.pk])).status_code == 200
    assert client.get(reverse("admin:reference_country_changelist")).status_code == 403
    assert client.get(reverse("admin:reference_detentioncentre_changelist")).status_code == 403
    assert ForeignMission.objects.count() == 1
