"""Home-page panel of the audit app: the auditor's view of the log's health."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.audit import render as audit_render
from jembatan.audit.events import AuditAction
from jembatan.audit.selectors import VIEW_CAPABILITY, audit_chain_status, audit_summary
from jembatan.core.home import Panel, PanelItem


def auditor_panel(user: object) -> Panel | None:
    """For holders of `audit.view_auditevent`: chain status and the last 24 hours at a glance.

    Counts only; no personal data is shown, so looking at the home page is not itself
    recorded as a read of the log.
    """
    has_perm = getattr(user, "has_perm", None)
    if not callable(has_perm) or not has_perm(VIEW_CAPABILITY):
        return None
    zone = getattr(user, "time_zone", None) or "Asia/Jakarta"
    list_url = reverse("audit:list")
    summary = audit_summary(actor=user)
    since_day = summary.since.astimezone(ZoneInfo(zone)).date().isoformat()

    def filtered(**params: object) -> str:
        return f"{list_url}?{urlencode({'date_from': since_day, **params})}"

    status = audit_chain_status()
    if status is None:
        chain_item = PanelItem(label=_("Hash chain"), value=_("Not verified yet"), url=list_url, urgent=True)
    elif status.ok:
        chain_item = PanelItem(
            label=_("Hash chain"),
            value=_("Intact, checked %(time)s") % {"time": audit_render.zoned_text(status.verified_at, zone)},
            url=list_url,
        )
    else:
        chain_item = PanelItem(
            label=_("Hash chain"),
            value=_("Broken at event #%(id)s, checked %(time)s")
            % {"id": status.first_broken_id, "time": audit_render.zoned_text(status.verified_at, zone)},
            url=list_url,
            urgent=True,
        )
    items = [
        chain_item,
        PanelItem(
            label=_("Events in the last 24 hours"),
            value=number_format(summary.events, force_grouping=True),
            url=filtered(),
        ),
        PanelItem(
            label=_("Failed sign-ins in the last 24 hours"),
            value=number_format(summary.failed_logins, force_grouping=True),
            url=filtered(action=int(AuditAction.USER_LOGIN_FAILED)),
        ),
        PanelItem(
            label=_("Lock-outs in the last 24 hours"),
            value=number_format(summary.lockouts, force_grouping=True),
            url=filtered(action=int(AuditAction.USER_LOCKED_OUT)),
            urgent=summary.lockouts > 0,
        ),
    ]
    return Panel(
        title=_("Audit log"),
        items=items,
        actions=[PanelItem(label=_("Open the audit log"), url=list_url)],
        order=80,
    )
