"""Writes to the case register: recording a case, moving it through its lifecycle, notes,
reported events and attached documents.

Every service is keyword-only and atomic; each writes the timeline entry that describes
the change (who, when, what, from which agency) and the audit event in the same
transaction. Rules of the law are checked here, once, for the pages and the API alike;
a refusal is an `ApplicationError` naming the field (`field`, and all problems found in
`extra["errors"]`), in the active language, and leaves nothing written.

The services are grouped by sub-domain: `records` (recording a case), `progress`
(transitions, notes, reported events), `documents` (attachments); shared mechanics in
`base`. Import them from here.
"""

from jembatan.cases.services.base import CLOCK_SKEW, NOTE_MAX_LENGTH
from jembatan.cases.services.documents import (
    DEFAULT_DOCUMENT_MAX_BYTES,
    DOCUMENT_FORMATS,
    case_document_attach,
    case_document_open,
    document_max_bytes,
)
from jembatan.cases.services.progress import REPORTABLE_EVENTS, case_event_report, case_note_add, case_transition
from jembatan.cases.services.records import case_create

__all__ = [
    "CLOCK_SKEW",
    "DEFAULT_DOCUMENT_MAX_BYTES",
    "DOCUMENT_FORMATS",
    "NOTE_MAX_LENGTH",
    "REPORTABLE_EVENTS",
    "case_create",
    "case_document_attach",
    "case_document_open",
    "case_event_report",
    "case_note_add",
    "case_transition",
    "document_max_bytes",
]
