"""The confirm page of an overstay proposal (`/cases/overstays/<permit_id>/propose/`,
`cases:overstay_propose`): what art. 78 calls for and what will be created, then the
cases on POST. The overstay list it comes from is traffic's (`traffic:overstays`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jembatan.cases.forms import CaseForm
from jembatan.cases.overstays import (
    DEFAULT_ENTRY_BAN_MONTHS,
    ENTRY_BAN_MAX_MONTHS,
    overstay_plan,
    overstay_propose_actions,
    proposed_case_ids,
    proposed_cases,
)
from jembatan.core.exceptions import ApplicationError, Conflict
from jembatan.core.pages import capability_required
from jembatan.traffic.overstays import overstay_get

_BAN_LENGTH_ERROR = gettext_lazy("Enter an entry ban of 1 to 120 months.")


class OverstayProposeForm(CaseForm):
    entry_ban_months = forms.IntegerField(
        label=gettext_lazy("Length of the entry ban (months)"),
        min_value=1,
        max_value=ENTRY_BAN_MAX_MONTHS,
        initial=DEFAULT_ENTRY_BAN_MONTHS,
        help_text=gettext_lazy("Proposed length, 1 to 120 months; the deciding official may change it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _BAN_LENGTH_ERROR,
            "min_value": _BAN_LENGTH_ERROR,
            "max_value": _BAN_LENGTH_ERROR,
            "invalid": _BAN_LENGTH_ERROR,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("traffic.propose_overstay_action")
def overstay_propose_view(request: HttpRequest, permit_id: int) -> HttpResponse:
    """Confirm step: what will be created (kinds, statuses, amount or ban period, the
    person to be recorded), then create it on POST."""
    overstay = overstay_get(actor=request.user, permit_id=permit_id)
    earlier = proposed_case_ids(overstay.permit)
    form = OverstayProposeForm(request.POST or None)
    error = ""
    if overstay.person is not None and overstay.person.is_trafficking_victim:
        # UU 6/2011 art. 86: said before the officer confirms (the service refuses it too).
        error = _(
            "This person is recorded as a victim of trafficking or smuggling: no administrative action may be "
            "taken against them (UU 6/2011 art. 86). Record the protection measures instead."
        )
    if request.method == "POST" and earlier is None and not error and form.is_valid():
        try:
            cases = overstay_propose_actions(
                actor=request.user, permit_id=overstay.permit.pk, entry_ban_months=form.cleaned_data["entry_ban_months"]
            )
        except Conflict as refusal:
            error = refusal.message
        except ApplicationError as refusal:
            form.add_service_error(refusal)
        else:
            messages.success(
                request,
                _("Proposed for %(name)s: %(cases)s. The cases are in the register for a decision.")
                % {"name": overstay.document_name, "cases": ", ".join(c.reference for c in cases)},
            )
            return redirect(reverse("cases:detail", kwargs={"case_id": cases[0].pk}) if cases else reverse("traffic:overstays"))
    months = form.cleaned_data.get("entry_ban_months") if form.is_bound and form.is_valid() else None
    plan = overstay_plan(actor=request.user, overstay=overstay, entry_ban_months=months or DEFAULT_ENTRY_BAN_MONTHS)
    return render(
        request,
        "cases/overstays/propose.html",
        {
            "overstay": overstay,
            "plan": plan,
            "form": form,
            "error": error,
            "already_proposed": earlier is not None,
            "earlier_cases": proposed_cases(actor=request.user, case_ids=earlier) if earlier is not None else [],
            "has_ban": any(a.kind == "entry_ban" for a in plan.actions),
            "blocked": overstay.person is not None and overstay.person.is_trafficking_victim,
        },
    )
