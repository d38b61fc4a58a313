"""The import ledger pages: who may see them, upload, progress while running, rejected rows
and their CSV; the sample files of docs/ load cleanly against the real reference data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.traffic.importing import services
from jembatan.traffic.importing.format import CROSSING_COLUMNS
from jembatan.traffic.importing.pipeline import import_file
from jembatan.traffic.models import ImportBatch
from jembatan.traffic.tests.import_support import crossing, traffic_reference  # noqa: F401

SAMPLES = Path(settings.BASE_DIR) / "docs" / "samples"


def _english(http):
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def _csv(rows: list[list[str]]) -> bytes:
    return (",".join(CROSSING_COLUMNS) + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


@pytest.mark.usefixtures("traffic_reference")
def test_the_ledger_needs_the_import_capability(make_user, login):
    analyst = login(make_user(roles=[Role.ANALYST]))
    assert analyst.get("/traffic/imports/").status_code == 403


@pytest.mark.usefixtures("traffic_reference")
def test_an_upload_from_the_page_is_queued_shown_with_progress_and_then_its_rejected_rows(make_user, login, tmp_path, settings):
    settings.TRAFFIC_UPLOAD_DIR = str(tmp_path)
    http = _english(login(make_user(roles=[Role.IMMIGRATION_SUPERVISOR])))
    empty = http.get("/traffic/imports/")
    assert "Nothing has been imported yet" in empty.content.decode()

    response = http.post(
        "/traffic/imports/",
        {"kind": "crossings", "file": SimpleUploadedFile("mixed.csv", _csv([crossing("W-1"), crossing("W-2", sex="?")]))},
    )

    batch = ImportBatch.objects.get(file_name="mixed.csv")
    assert response.status_code == 302
    assert response["Location"] == f"/traffic/imports/{batch.pk}/"
    running = http.get(f"/traffic/imports/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert 'http-equiv="refresh"' in running
    assert 'id="import-progress-bar" max="100" value="0"' in running

    services.traffic_import_job.func(batch_id=batch.pk, path=str(next(tmp_path.iterdir())))

    done = http.get(f"/traffic/imports/{batch.pk}/").content.decode()
    assert "hx-trigger" not in done
    assert 'id="import-progress-bar" max="100" value="100"' in done
    assert "100% of the file, by size" in done
    assert "sex must be M, F or X." in done  # the reason in the page's language only
    assert "sex harus M, F atau X." not in done
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    done_id = http.get(f"/traffic/imports/{batch.pk}/").content.decode()
    assert "sex harus M, F atau X." in done_id
    assert "sex must be M, F or X." not in done_id
    _english(http)
    progress = http.get(f"/traffic/imports/{batch.pk}/progress/").content.decode()
    assert "Rows rejected" in progress
    assert "style=" not in progress  # the CSP refuses inline styles: the bar must not depend on one
    report = http.get(f"/traffic/imports/{batch.pk}/rejected.csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "row,field,reason,row_as_received"
    assert lines[1].startswith("3,sex,")
    assert "sex must be M, F or X. / sex harus M, F atau X." in lines[1]  # the CSV keeps both languages
    assert AuditEvent.objects.filter(action=AuditAction.TRAFFIC_IMPORT_REPORT_READ).exists()
    listing = http.get("/traffic/imports/").content.decode()
    assert "mixed.csv" in listing


@pytest.mark.usefixtures("traffic_reference")
def test_a_bad_upload_is_answered_on_the_form(make_user, login, tmp_path, settings):
    settings.TRAFFIC_UPLOAD_DIR = str(tmp_path)
    http = _english(login(make_user(roles=[Role.IMMIGRATION_SUPERVISOR])))

    missing = http.post("/traffic/imports/", {"kind": "crossings"})
    wrong = http.post("/traffic/imports/", {"kind": "crossings", "file": SimpleUploadedFile("notes.docx", b"hello")})

    assert missing.status_code == 400
    assert "Choose a file to upload." in missing.content.decode()
    assert wrong.status_code == 400
    assert "Upload a CSV" in wrong.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_sample_files_of_the_format_document_load_without_rejections():
    call_command("load_reference_data", verbosity=0)

    crossings = import_file(kind="crossings", path=SAMPLES / "crossings-sample.csv").batch
    permits = import_file(kind="permits", path=SAMPLES / "permits-sample.csv").batch

    assert (crossings.rows_total, crossings.rows_loaded, crossings.rows_rejected) == (7, 7, 0)
    assert (permits.rows_total, permits.rows_loaded, permits.rows_rejected) == (5, 5, 0)
