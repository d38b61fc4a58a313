"""The alerts page: what Jembatan has flagged for the signed-in user."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jembatan.accounts.alerts import alert_list, alert_mark_read
from jembatan.core.exceptions import NotFound


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    page = Paginator(alert_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/alerts.html", {"page_obj": page, "alerts": page.object_list, "querystring_without_page": ""})


@login_required
@require_POST
def alert_read(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert_mark_read(user=request.user, alert_id=alert_id)
    except NotFound:
        raise Http404 from None
    return redirect("accounts:alerts")


@login_required
@require_POST
def alerts_read_all(request: HttpRequest) -> HttpResponse:
    count = alert_mark_read(user=request.user)
    messages.success(request, _("%(count)d alerts marked as read.") % {"count": count})
    return redirect("accounts:alerts")
