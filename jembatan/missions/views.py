"""Pages of the registry for protocol officers: list with search and filters, one person's
record with their family, add/edit, and the CSV import (upload → check → import).

Thin views: capability check, then one selector or service (which scope and audit). A
record out of scope is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jembatan.core.exceptions import ApplicationError, NotFound
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.forms import AccreditedPersonForm, ImportConfirmForm, ImportUploadForm, RegistryFilterForm
from jembatan.missions.importing import COLUMN_NAMES, ImportPlan, ImportRejected, accredited_import_apply, accredited_import_check
from jembatan.missions.models import FAMILY_OF, Category, DocumentType
from jembatan.missions.querysets import MANAGE_ACCREDITED, VIEW_ACCREDITED
from jembatan.missions.selectors import accredited_person_family, accredited_person_get, accredited_person_list
from jembatan.missions.services import accredited_person_create, accredited_person_update
from jembatan.reference.models import ForeignMission

IMPORT_SESSION_KEY = "missions_import"
# The coded columns of the CSV file and their codes, shown on the import page.
CODE_LISTS = (
    ("category", Category.choices),
    ("document_type", DocumentType.choices),
    ("immunity_level", ImmunityLevel.choices),
    ("mission_type", ForeignMission.MissionType.choices),
)


def _active_filters(request: HttpRequest, form: RegistryFilterForm) -> list[dict[str, str]]:
    if not form.is_bound or not form.is_valid():
        return []
    found = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "") or name == "q":
            continue
        shown = str(value) if name == "mission" else str(dict(field.choices).get(value, value))  # type: ignore[attr-defined]
        rest = [(k, v) for k, values in request.GET.lists() for v in values if k not in (name, "page") and v]
        found.append({"label": str(field.label), "value": shown, "remove_query": urlencode(rest)})
    return found


@capability_required(VIEW_ACCREDITED)
@require_GET
def accredited_list(request: HttpRequest) -> HttpResponse:
    """The registry, searchable by name in any script, card or document number, and filtered."""
    form = RegistryFilterForm(request.GET or None)
    filters = form.filters()
    rows = accredited_person_list(actor=request.user, filters=filters)
    page_obj = Paginator(rows, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "missions/accredited_list.html",
        {
            "form": form,
            "query": filters.query,
            "page_obj": page_obj,
            "today": timezone.localdate(),
            "active_filters": _active_filters(request, form),
            "filtered": bool(request.GET.get("q") or _active_filters(request, form)),
            "querystring_without_page": querystring_without_page(request),
            "can_manage": request.user.has_perm(MANAGE_ACCREDITED),
        },
    )


@capability_required(VIEW_ACCREDITED)
@require_GET
def accredited_detail(request: HttpRequest, accredited_person_id: str) -> HttpResponse:
    """One registry record: identity, accreditation, immunity, card and family."""
    person = accredited_person_get(actor=request.user, accredited_person_id=accredited_person_id)
    return render(
        request,
        "missions/accredited_detail.html",
        {
            "person": person,
            "family": accredited_person_family(actor=request.user, accredited_person=person),
            "today": timezone.localdate(),
            # An expired card or an inactive record is not the end of immunity (VCDR art. 39(2)).
            "show_expiry_warning": not person.is_active or (bool(person.card_number) and not person.card_valid_on(timezone.localdate())),
            "can_manage": request.user.has_perm(MANAGE_ACCREDITED),
            "family_category_exists": any(person.category in principals for principals in FAMILY_OF.values()),
        },
    )


def _family_initial(request: HttpRequest) -> dict[str, Any]:
    """ "Add a family member" from a staff member's page: mission, principal and category."""
    principal_id = request.GET.get("principal")
    if not principal_id:
        return {}
    try:
        principal = accredited_person_get(actor=request.user, accredited_person_id=principal_id)
    except NotFound:
        return {}
    category = next((family for family, principals in FAMILY_OF.items() if principal.category in principals), "")
    return {
        "mission": principal.mission_id,
        "principal_reference": principal.card_number or principal.document_number,
        "category": category,
        "nationality": principal.nationality_id,
    }


@capability_required(MANAGE_ACCREDITED)
@require_http_methods(["GET", "POST"])
def accredited_create(request: HttpRequest) -> HttpResponse:
    """Add a person to the registry."""
    if request.method == "POST":
        form = AccreditedPersonForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                person = accredited_person_create(actor=request.user, data=form.service_data())
            except ValidationError as exc:
                form.add_model_errors(exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(name)s has been added to the registry.") % {"name": person.document_name})
                return redirect("missions:accredited_detail", accredited_person_id=person.pk)
    else:
        form = AccreditedPersonForm(actor=request.user, initial={"is_active": True, "sex": "X", **_family_initial(request)})
    return render(request, "missions/accredited_form.html", {"form": form, "creating": True})


@capability_required(MANAGE_ACCREDITED)
@require_http_methods(["GET", "POST"])
def accredited_edit(request: HttpRequest, accredited_person_id: str) -> HttpResponse:
    """Change a registry record (every change is kept in its history and the audit log)."""
    person = accredited_person_get(actor=request.user, accredited_person_id=accredited_person_id)
    if request.method == "POST":
        form = AccreditedPersonForm(request.POST, actor=request.user, instance=person)
        if form.is_valid():
            try:
                person, changed = accredited_person_update(actor=request.user, accredited_person=person, data=form.service_data())
            except ValidationError as exc:
                form.add_model_errors(exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Changes saved.") if changed else _("Nothing was changed."))
                return redirect("missions:accredited_detail", accredited_person_id=person.pk)
    else:
        form = AccreditedPersonForm(actor=request.user, instance=person)
    return render(request, "missions/accredited_form.html", {"form": form, "creating": False, "person": person})


# --- CSV import ------------------------------------------------------------------------


def _import_page(request: HttpRequest, *, form: ImportUploadForm, plan: ImportPlan | None = None, token: str = "") -> HttpResponse:
    return render(
        request,
        "missions/accredited_import.html",
        {"form": form, "plan": plan, "token": token, "columns": COLUMN_NAMES, "code_lists": CODE_LISTS},
        status=200,
    )


@capability_required(MANAGE_ACCREDITED)
@require_http_methods(["GET", "POST"])
def accredited_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file and see what importing it would do (nothing is written yet).

    A file without problems is kept in the user's session under its SHA-256, which the
    confirm button sends back; the file is checked again when confirmed.
    """
    if request.method != "POST":
        return _import_page(request, form=ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    plan = accredited_import_check(actor=request.user, content=content, filename=upload.name)
    token = ""
    if plan.ok:
        token = plan.sha256
        request.session[IMPORT_SESSION_KEY] = {
            "token": token,
            "filename": upload.name,
            "content": base64.b64encode(content).decode("ascii"),
        }
    else:
        request.session.pop(IMPORT_SESSION_KEY, None)
    return _import_page(request, form=ImportUploadForm(), plan=plan, token=token)


@capability_required(MANAGE_ACCREDITED)
@require_POST
def accredited_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file checked on the previous page, after checking it again."""
    form = ImportConfirmForm(request.POST)
    stored = request.session.get(IMPORT_SESSION_KEY) or {}
    if not form.is_valid() or not stored or stored.get("token") != form.cleaned_data["token"]:
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("missions:accredited_import")
    content = base64.b64decode(stored["content"])
    if hashlib.sha256(content).hexdigest() != stored["token"]:
        request.session.pop(IMPORT_SESSION_KEY, None)
        messages.error(request, _("The checked file is no longer available. Upload it again."))
        return redirect("missions:accredited_import")
    try:
        plan = accredited_import_apply(actor=request.user, content=content, filename=stored.get("filename", ""))
    except ImportRejected as exc:
        request.session.pop(IMPORT_SESSION_KEY, None)
        return _import_page(request, form=ImportUploadForm(), plan=exc.plan)
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(
        request,
        _("Import finished: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": plan.created, "updated": plan.updated, "unchanged": plan.unchanged},
    )
    return redirect("missions:accredited_list")


@capability_required(MANAGE_ACCREDITED)
@require_GET
def accredited_import_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with the column names, UTF-8 with a byte-order mark so that Excel keeps
    names in other scripts intact."""
    response = HttpResponse("\ufeff" + ",".join(COLUMN_NAMES) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jembatan-accredited-persons-template.csv"'
    return response
