"""API of the traffic queries (`/api/v1/traffic/…`): whereabouts by document or by name,
overstays, statistics.

The same capabilities, refusals and audit as the pages: whereabouts need
`traffic.view_whereabouts` and a `purpose` (recorded in the audit log with the question,
never the answer) and are refused to foreign missions whatever their token holds;
overstays need `traffic.view_overstays`, statistics `traffic.view_statistics`.
Whereabouts questions are POSTed so that document numbers and names never appear in URLs
or access logs. Times are UTC (ISO 8601); each crossing carries its checkpoint's zone.

No `from __future__ import annotations`: django-ninja reads the annotations at import time.
"""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from jembatan.core.api import ErrorBody, api_caller, require_capability
from jembatan.traffic.overstays import (
    OverstayFilters,
    overstay_queryset,
    overstays_list_audit,
    overstays_page,
)
from jembatan.traffic.selectors import (
    StatisticsFilters,
    traffic_statistics,
    whereabouts_by_document,
    whereabouts_by_name,
)

router = Router(tags=["traffic"])

_MAX_PAGE_SIZE = 200
_ERRORS: dict[int, Any] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody}


# --- whereabouts ----------------------------------------------------------------------------


class ByDocumentIn(Schema):
    document_number: str
    issuing_state: str
    purpose: str


class ByNameIn(Schema):
    name: str
    birth_date: str
    nationality: str | None = None
    purpose: str


class CrossingOut(Schema):
    crossed_at: dt.datetime
    direction: str
    checkpoint_code: str
    checkpoint_name: str
    time_zone: str
    permit_type: str
    carrier: str


class PermitOut(Schema):
    permit_number: str
    permit_type: str
    status: str
    issued_on: dt.date
    expires_on: dt.date
    days_left: int
    valid: bool


class CaseRef(Schema):
    id: uuid.UUID
    reference: str
    kind: str
    status: str


class WhereaboutsOut(Schema):
    """`in_country`: the last crossing is an arrival, or there is none but a permit valid
    today. `since`: that arrival. `permit`: the latest by date of issue. `days_over`: days
    past the permit while in the country. `open_cases`: those of the person holding the
    document in the register, as far as the caller may see them. `score`: the name match
    (by-name searches only)."""

    document_number: str
    issuing_state: str
    found: bool
    as_of: dt.date
    nationality: str
    surname: str
    given_names: str
    date_of_birth: str
    in_country: bool
    since: dt.datetime | None
    crossings: list[CrossingOut]
    permit: PermitOut | None
    days_over: int
    person_id: uuid.UUID | None
    open_cases: list[CaseRef]
    score: float | None


@router.post("/whereabouts/by-document", response={200: WhereaboutsOut, **_ERRORS}, summary="Whereabouts by travel document")
def whereabouts_by_document_api(request: HttpRequest, payload: ByDocumentIn) -> Any:
    """Last crossings, current permit, in the country or not and since when, open cases:
    for the holder of one document (number and ICAO issuing state). `purpose` is required."""
    caller = api_caller(request)
    require_capability(request, "traffic.view_whereabouts")
    answer = whereabouts_by_document(
        actor=caller, document_number=payload.document_number, issuing_state=payload.issuing_state, purpose=payload.purpose
    )
    return answer.as_data()


@router.post("/whereabouts/by-name", response={200: list[WhereaboutsOut], **_ERRORS}, summary="Whereabouts by name and date of birth")
def whereabouts_by_name_api(request: HttpRequest, payload: ByNameIn) -> Any:
    """Travellers whose name (any script, fuzzy) and date of birth match, best first (at
    most 20). `birth_date`: `YYYY-MM-DD` with `00` for an unknown day or month, `YYYY-MM`
    or `YYYY`. `purpose` is required."""
    caller = api_caller(request)
    require_capability(request, "traffic.view_whereabouts")
    answers = whereabouts_by_name(
        actor=caller, name=payload.name, birth_date=payload.birth_date, nationality=payload.nationality, purpose=payload.purpose
    )
    return [a.as_data() for a in answers]


# --- overstays ------------------------------------------------------------------------------


class OverstayListFilters(Schema):
    nationality: str = ""
    band: str = ""
    province: str = ""


class OverstayOut(Schema):
    permit_id: int
    permit_number: str
    permit_type: str
    document_number: str
    issuing_state: str
    nationality: str
    surname: str
    given_names: str
    province: str
    issued_on: dt.date
    expires_on: dt.date
    as_of: dt.date
    days_over: int
    last_crossing_at: dt.datetime | None
    person_id: uuid.UUID | None
    proposed: bool


class OverstayPage(Schema):
    items: list[OverstayOut]
    count: int


@router.get("/overstays", response={200: OverstayPage, **_ERRORS}, summary="List overstays")
def overstays_api(request: HttpRequest, filters: Query[OverstayListFilters], page: int = 1, page_size: int = settings.API_PAGE_SIZE) -> Any:
    """Foreign nationals whose current stay permit expired with no departure since, most
    days over first, as of today (Jakarta). `band`: days over, one of `1-30`, `31-60`,
    `61-180`, `181-365`, `366-`. `page` from 1, `page_size` up to 200."""
    caller = api_caller(request)
    require_capability(request, "traffic.view_overstays")
    today = timezone.localdate()
    chosen = OverstayFilters(nationality=filters.nationality.strip().upper(), band=filters.band, province=filters.province)
    page_size = min(max(page_size, 1), _MAX_PAGE_SIZE)
    page_obj = Paginator(overstay_queryset(as_of=today, filters=chosen), page_size).get_page(page)
    overstays_list_audit(actor=caller, as_of=today, filters=chosen, page=page_obj.number)
    rows = overstays_page(actor=caller, rows=list(page_obj), as_of=today)
    return {"items": [row.as_data() for row in rows], "count": page_obj.paginator.count}


# --- statistics -----------------------------------------------------------------------------


class StatisticsQuery(Schema):
    group_by: str = "month"
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    nationality: str = ""
    checkpoint: str = ""


class StatisticsRowOut(Schema):
    key: str
    label: str
    arrivals: int
    departures: int


class StatisticsOut(Schema):
    group_by: str
    arrivals: int
    departures: int
    rows: list[StatisticsRowOut]


@router.get("/statistics", response={200: StatisticsOut, **_ERRORS}, summary="Arrivals and departures")
def statistics_api(request: HttpRequest, query: Query[StatisticsQuery]) -> Any:
    """Sums of the monthly figures (months in WIB) grouped by `month`, `nationality` or
    `checkpoint`; `month_from`/`month_to` are any day of the first/last month."""
    caller = api_caller(request)
    require_capability(request, "traffic.view_statistics")
    statistics = traffic_statistics(
        actor=caller,
        filters=StatisticsFilters(
            month_from=query.month_from.replace(day=1) if query.month_from else None,
            month_to=query.month_to.replace(day=1) if query.month_to else None,
            nationality=query.nationality.strip().upper(),
            checkpoint=query.checkpoint.strip().upper(),
            group_by=query.group_by,
        ),
        export_format="api",
    )
    return {
        "group_by": query.group_by,
        "arrivals": statistics.arrivals,
        "departures": statistics.departures,
        "rows": [{"key": r.key, "label": r.label, "arrivals": r.arrivals, "departures": r.departures} for r in statistics.rows],
    }
