"""Documents attached to a case: checked by content, stored under a random name, opened
only by those who see the case."""

from __future__ import annotations

import hashlib
import os
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.models import Case, CaseDocument, CaseEvent
from jembatan.cases.services.base import (
    Problems,
    is_user,
    lock_for_change,
)
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import NotFound

DEFAULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# Attachments: what a case may hold, recognised by content (magic bytes), not by name.
DOCUMENT_FORMATS: dict[str, tuple[str, tuple[bytes, ...], tuple[str, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",), (".pdf",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",), (".png",)),
}


# --- documents ------------------------------------------------------------------------------


def document_max_bytes() -> int:
    return int(getattr(settings, "CASE_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES))


def _size_text(size: int) -> str:
    return formats.number_format(size / (1024 * 1024), decimal_pos=0 if size % (1024 * 1024) == 0 else 1)


def _sniff(head: bytes) -> str | None:
    for name, (_content_type, signatures, _extensions) in DOCUMENT_FORMATS.items():
        if any(head.startswith(signature) for signature in signatures):
            return name
    return None


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return "".join(ch for ch in base if ch.isprintable()).strip()[:255] or "document"


def case_document_attach(*, actor: Any, case: Case, uploaded_file: UploadedFile | None, document_type: str) -> CaseDocument:
    """Attach a PDF, JPEG or PNG to the case, stored through Django's storage under a
    random name, with its SHA-256.

    The format is recognised from the content (magic bytes) and must agree with the file
    name's extension: a PNG named `.pdf` is refused. Larger than
    `settings.CASE_DOCUMENT_MAX_BYTES` (default 10 MiB) or empty is refused. Writes a
    `DOCUMENT_ADDED` timeline entry and records `CASE_DOCUMENT_ADDED`; on any refusal
    nothing is stored.
    """
    with transaction.atomic():
        case = lock_for_change(actor=actor, case=case)
        problems = Problems()
        if document_type not in CaseDocument.DocumentType.values:
            problems.add("document_type", _("Select the type of document"))
        detected = None
        name = ""
        if uploaded_file is None:
            problems.add("file", _("Choose the file to attach"))
        else:
            name = _clean_name(uploaded_file.name or "")
            limit = document_max_bytes()
            if not uploaded_file.size:
                problems.add("file", _("The selected file is empty. Choose a PDF, JPG or PNG file"))
            elif uploaded_file.size > limit:
                problems.add("file", _("The selected file must be smaller than %(size)s MB") % {"size": _size_text(limit)})
            else:
                uploaded_file.seek(0)
                detected = _sniff(uploaded_file.read(16))
                uploaded_file.seek(0)
                extension = os.path.splitext(name)[1].lower()
                if detected is None:
                    problems.add("file", _("The selected file must be a PDF, JPG or PNG"))
                elif extension not in DOCUMENT_FORMATS[detected][2]:
                    problems.add(
                        "file",
                        _(
                            "The content of “%(name)s” is a %(format)s, not what its name says. Choose a PDF, JPG or PNG file whose name matches its content"
                        )
                        % {"name": name, "format": detected.upper()},
                    )
        problems.raise_if_any()
        assert uploaded_file is not None
        assert detected is not None

        digest = hashlib.sha256()
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
        uploaded_file.seek(0)
        document = CaseDocument(
            case=case,
            document_type=document_type,
            original_name=name,
            content_type=DOCUMENT_FORMATS[detected][0],
            size=uploaded_file.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor if is_user(actor) else None,
        )
        document.file.save(name, uploaded_file, save=False)
        try:
            document.save(force_insert=True)
            case_event_record(
                case=case,
                kind=CaseEvent.Kind.DOCUMENT_ADDED,
                actor=actor,
                summary=name,
                data={"document_id": str(document.pk), "document_type": document_type, "sha256": document.sha256, "size": document.size},
            )
            case.save(update_fields=["updated_at"])
            audit_record(
                action=AuditAction.CASE_DOCUMENT_ADDED,
                target=case,
                actor=actor,
                data={"reference": case.reference, "document_id": str(document.pk), "sha256": document.sha256, "size": document.size},
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


def case_document_open(*, actor: Any, document: CaseDocument) -> IO[bytes]:
    """Open an attached document for `actor`, who must see its case (`NotFound` otherwise,
    as for a document that does not exist). Records `CASE_DOCUMENT_DOWNLOADED`."""
    if not Case.objects.visible_to(actor).filter(pk=document.case_id).exists():
        raise NotFound()
    audit_record(
        action=AuditAction.CASE_DOCUMENT_DOWNLOADED,
        target=document,
        actor=actor,
        data={"case_id": str(document.case_id), "sha256": document.sha256},
    )
    return document.file.open("rb")
