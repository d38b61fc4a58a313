"""The consular section of the case page (`JEMBATAN_CASE_SECTIONS`): the rights advice, the
notifications of the case, letters from the detainee, consular access and visits, with the
forms of whoever may act on them. Plain POST forms to /notifications/… that redirect back."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from jembatan.cases.models import Case
from jembatan.notifications import forms as nforms
from jembatan.notifications.access import OPEN_STATUSES
from jembatan.notifications.selectors import case_consular
from jembatan.people.permissions import is_mission_actor
from jembatan.reference.models import ZONE_ABBREVIATIONS


def case_section(request: Any, case: Case) -> str:
    """The section for users who may see notifications (never a mission: missions use the
    portal); "" for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_mission_actor(user) or not user.has_perm("notifications.view_notification"):
        return ""
    data = case_consular(actor=user, case=case)
    in_scope = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    hosts = in_scope and user.has_perm("notifications.schedule_access")
    requests = []
    for index, item in enumerate(data.access_requests):
        is_open = item.status in OPEN_STATUSES
        prefix = f"acc{index}-%s"
        requests.append(
            {
                "item": item,
                "is_open": is_open,
                "schedule_form": nforms.ScheduleForm(auto_id=prefix.replace("%s", "schedule-%s")) if hosts and is_open else None,
                "refuse_form": nforms.RefuseForm(auto_id=prefix.replace("%s", "refuse-%s")) if hosts and is_open else None,
                "decline_form": nforms.DeclineForm(auto_id=prefix.replace("%s", "decline-%s")) if hosts and is_open else None,
                "visit_form": (
                    nforms.VisitForm(auto_id=prefix.replace("%s", "visit-%s"), initial={"kind": item.kind, "officers": item.officers})
                    if hosts and is_open and user.has_perm("notifications.record_visit")
                    else None
                ),
            }
        )
    may_advise = in_scope and (user.has_perm("notifications.log_letter") or user.has_perm("cases.change_case"))
    may_request = in_scope and user.has_perm("notifications.record_access_request")
    context = {
        "case": case,
        "advice": data.advice,
        "latest_advice": data.advice[0] if data.advice else None,
        "notifications": data.notifications,
        "letters": data.letters,
        "requests": requests,
        "visits": data.visits,
        "may_advise": may_advise,
        "rights_form": nforms.RightsAdviceForm(auto_id="rights-%s") if may_advise else None,
        "may_log_letter": may_advise,
        "letter_form": nforms.LetterForm(auto_id="letter-%s") if may_advise else None,
        "may_forward": user.has_perm("notifications.forward_letter"),
        "may_request": may_request,
        "access_form": (nforms.AccessRequestForm(auto_id="access-%s", missions=_missions(case)) if may_request else None),
        "place_zone": case.time_zone,
        "zone_abbr": ZONE_ABBREVIATIONS.get(case.time_zone, case.time_zone),
    }
    return render_to_string("notifications/case_section.html", context, request=request)


def _missions(case: Case) -> Any:
    from jembatan.reference.models import ForeignMission

    return ForeignMission.objects.filter(country_id__in=case.person.nationality_links.values("country_id")).order_by(
        "sending_entity", "city"
    )
