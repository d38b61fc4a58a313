"""Attachments: recognised by their content, limited in size, hashed, stored under a
random name, downloaded only by those who see the case, every download audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import CaseDocument, CaseEvent
from jembatan.cases.services import case_document_attach, case_document_open
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, NotFound

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def case(agencies):
    return CaseFactory(reporting_agency=agencies.imm_a)


def test_a_pdf_is_attached_hashed_and_stored_under_a_random_name(officer, case):
    document = case_document_attach(actor=officer, case=case, uploaded_file=upload("Keputusan detensi.pdf", PDF), document_type="decision")

    assert document.original_name == "Keputusan detensi.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == officer
    assert document.file.name.startswith(f"cases/{case.pk}/")
    assert "Keputusan" not in document.file.name
    assert Path(document.file.path).read_bytes() == PDF
    entry = case.events.get(kind=CaseEvent.Kind.DOCUMENT_ADDED)
    assert entry.data["document_id"] == str(document.pk)
    assert entry.data["sha256"] == document.sha256
    assert AuditEvent.objects.filter(action=AuditAction.CASE_DOCUMENT_ADDED, object_id=str(case.pk)).count() == 1


@pytest.mark.parametrize(("name", "content", "expected_type"), [("foto.JPG", JPEG, "image/jpeg"), ("scan.png", PNG, "image/png")])
def test_images_are_accepted(officer, case, name, content, expected_type):
    assert (
        case_document_attach(actor=officer, case=case, uploaded_file=upload(name, content), document_type="identity").content_type
        == expected_type
    )


@pytest.mark.parametrize(
    ("name", "content", "type_", "field", "message_en", "message_id"),
    [
        (
            "decision.pdf",
            PNG,
            "decision",
            "file",
            "The content of “decision.pdf” is a PNG, not what its name says. Choose a PDF, JPG or PNG file whose name matches its content",
            "Isi “decision.pdf” adalah PNG, tidak sesuai dengan namanya. Pilih berkas PDF, JPG, atau PNG yang namanya sesuai dengan isinya",
        ),
        (
            "big.pdf",
            PDF + b"0" * (11 * 1024 * 1024),
            "decision",
            "file",
            "The selected file must be smaller than 10 MB",
            "Berkas yang dipilih harus lebih kecil dari 10 MB",
        ),
        (
            "macro.docx",
            b"PK\x03\x04" + b"\x00" * 32,
            "decision",
            "file",
            "The selected file must be a PDF, JPG or PNG",
            "Berkas yang dipilih harus berupa PDF, JPG, atau PNG",
        ),
        (
            "empty.pdf",
            b"",
            "decision",
            "file",
            "The selected file is empty. Choose a PDF, JPG or PNG file",
            "Berkas yang dipilih kosong. Pilih berkas PDF, JPG, atau PNG",
        ),
        ("ok.pdf", PDF, "selfie", "document_type", "Select the type of document", "Pilih jenis dokumen"),
    ],
    ids=["png-named-pdf", "11-MiB", "not-allowed", "empty", "unknown-type"],
)
def test_refused_attachments_name_the_field_in_both_languages_and_leave_nothing(
    officer, case, name, content, type_, field, message_en, message_id
):
    entries = CaseEvent.objects.count()
    for language, expected in (("en", message_en), ("id", message_id)):
        with translation.override(language), pytest.raises(ApplicationError) as info:
            case_document_attach(actor=officer, case=case, uploaded_file=upload(name, content), document_type=type_)
        assert (info.value.field, info.value.message) == (field, expected)
    assert not CaseDocument.objects.exists()
    assert CaseEvent.objects.count() == entries
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_DOCUMENT_ADDED).exists()
    assert _stored_files() == []


def test_the_size_limit_comes_from_settings(officer, case, settings):
    settings.CASE_DOCUMENT_MAX_BYTES = 64
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        case_document_attach(actor=officer, case=case, uploaded_file=upload("a.pdf", PDF), document_type="decision")
    assert "smaller than" in info.value.message


def test_missing_file_is_refused(officer, case):
    with pytest.raises(ApplicationError) as info:
        case_document_attach(actor=officer, case=case, uploaded_file=None, document_type="decision")
    assert info.value.field == "file"


def test_opening_a_document_is_audited_and_scoped(officer, make_user, agencies, case):
    document = case_document_attach(actor=officer, case=case, uploaded_file=upload("d.pdf", PDF), document_type="decision")

    with case_document_open(actor=officer, document=document) as handle:
        assert handle.read() == PDF
    audit = AuditEvent.objects.get(action=AuditAction.CASE_DOCUMENT_DOWNLOADED)
    assert (audit.actor_id, audit.object_id, audit.data["case_id"]) == (officer.pk, str(document.pk), str(case.pk))

    outsider = make_user(roles=[Role.IMMIGRATION_OFFICER], agency=agencies.imm_b)
    with pytest.raises(NotFound):
        case_document_open(actor=outsider, document=document)
    assert AuditEvent.objects.filter(action=AuditAction.CASE_DOCUMENT_DOWNLOADED).count() == 1
