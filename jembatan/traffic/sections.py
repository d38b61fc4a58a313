"""The whereabouts section of the person page (`JEMBATAN_PERSON_SECTIONS`): for each of
the person's travel documents, in the country or not and since when, the last crossings
and the current stay permit. Only for users holding `traffic.view_whereabouts`, never
for a foreign mission; each showing is a whereabouts lookup and is audited as one."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.traffic.selectors import may_view_whereabouts, whereabouts_for

SECTION_DOCUMENTS = 3
SECTION_CROSSINGS = 5
SECTION_PURPOSE = "person page"


def person_section(request: Any, person: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not may_view_whereabouts(user):
        return ""
    documents = list(person.documents.all())[:SECTION_DOCUMENTS]
    answers = []
    for doc in documents:
        state = doc.issuing_state.code
        audit_read(
            actor=user,
            action=AuditAction.WHEREABOUTS_QUERIED,
            target=("traffic.crossing", "", f"{state} {doc.number}"),
            purpose=SECTION_PURPOSE,
            data={"by": "document", "document_number": doc.number, "issuing_state": state, "person_id": str(person.pk)},
        )
        answers.append(
            whereabouts_for(actor=user, document_number=doc.number, issuing_state=state, limit=SECTION_CROSSINGS, with_cases=False)
        )
    return render_to_string("traffic/person_section.html", {"answers": answers, "person": person}, request=request)
