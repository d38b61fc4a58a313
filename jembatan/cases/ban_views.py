"""Extending an exit or entry ban from the case page (UU 6/2011 art. 97 and 102)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jembatan.cases.bans import ban_extend
from jembatan.cases.selectors import case_get
from jembatan.core.exceptions import ApplicationError, NotFound


@login_required
@require_POST
def ban_extend_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """Extend the ban to the date given, or make an entry ban lifelong; the service enforces
    the law's limits and the result (or the refusal, naming what to fix) shows on the case."""
    try:
        case = case_get(actor=request.user, case_id=case_id)
    except NotFound:
        raise Http404 from None
    target = reverse("cases:detail", args=[case.pk]) + "#extend"
    lifelong = request.POST.get("lifelong") == "on"
    raw_end = request.POST.get("new_end", "").strip()
    new_end: dt.date | None = None
    if not lifelong:
        try:
            new_end = dt.date.fromisoformat(raw_end)
        except ValueError:
            messages.error(request, _("Enter the new end date of the ban, for example 2027-06-30"))
            return redirect(target)
    try:
        ban_extend(actor=request.user, case=case, new_end=new_end, reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(target)
    messages.success(request, _("The ban was extended. The extension is on the case history."))
    return redirect(target)
