"""API operations of the reference app: read-only, paginated lists with filters.

Every operation needs the capability `reference.view_reference`. Lists are paginated by page
number (`page`, `page_size`) and answer `{"items": [...], "count": N}`.

No `from __future__ import annotations` here: django-ninja reads the annotations at import
time to build its query-parameter models.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from jembatan.core.api import ErrorBody, require_capability
from jembatan.reference import permissions
from jembatan.reference.models import ForeignMission
from jembatan.reference.selectors import TABLES, country_get, reference_row_list

router = Router(tags=["reference"])

_PAGE = {"page_size": settings.API_PAGE_SIZE, "max_page_size": 200}
_ERRORS: dict[int, Any] = {401: ErrorBody, 403: ErrorBody}


class ReferenceOut(Schema):
    """Fields every reference row has."""

    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str
    confidence: str
    locally_corrected: bool


class CountryOut(ReferenceOut):
    code: str
    kind: str
    alpha2: str
    numeric: str
    iso_equivalent: str
    name_id: str
    name_en: str


class ImmigrationOfficeOut(ReferenceOut):
    code: str
    name_id: str
    name_en: str
    office_class: str
    city: str
    province: str
    time_zone: str


class DetentionCentreOut(ReferenceOut):
    code: str
    name_id: str
    name_en: str
    city: str
    province: str
    time_zone: str


class CheckpointOut(ReferenceOut):
    code: str
    kind: str
    name_id: str
    name_en: str
    city: str
    province: str
    time_zone: str


class ForeignMissionOut(ReferenceOut):
    id: int
    country_code: str | None
    sending_entity: str
    mission_type: str
    name_id: str
    name_en: str
    city: str
    province: str
    is_resident: bool
    consular_district: str

    @staticmethod
    def resolve_country_code(obj: ForeignMission) -> str | None:
        return obj.country.code if obj.country is not None else None


class LegalBasisOut(ReferenceOut):
    id: int
    law: str
    article: str
    paragraph: str
    kind: str
    summary_id: str
    summary_en: str
    max_penalty: str


def _rows(request: HttpRequest, slug: str, **filters: Any) -> Any:
    require_capability(request, permissions.VIEW_REFERENCE)
    return reference_row_list(table=TABLES[slug], **filters)


@router.get("/countries", response={200: list[CountryOut], **_ERRORS}, summary="List countries and ICAO nationality codes")
@paginate(PageNumberPagination, **_PAGE)
def country_list(
    request: HttpRequest, q: str | None = None, kind: str | None = None, confidence: str | None = None, in_force_on: dt.date | None = None
) -> Any:
    """ISO 3166-1 countries (`kind=iso`) and ICAO Doc 9303 special codes (`kind=icao`). `q` searches codes and names."""
    return _rows(request, "countries", q=q, kind=kind, confidence=confidence, in_force_on=in_force_on)


@router.get("/countries/{code}", response={200: CountryOut, 404: ErrorBody, **_ERRORS}, summary="Get one country or nationality code")
def country_detail(request: HttpRequest, code: str) -> Any:
    """One code as written in the MRZ without fillers (`IDN`, `D`, `XXA`); case-insensitive."""
    require_capability(request, permissions.VIEW_REFERENCE)
    return country_get(code=code)


@router.get("/immigration-offices", response={200: list[ImmigrationOfficeOut], **_ERRORS}, summary="List immigration offices")
@paginate(PageNumberPagination, **_PAGE)
def immigration_office_list(
    request: HttpRequest,
    q: str | None = None,
    office_class: str | None = None,
    province: str | None = None,
    confidence: str | None = None,
    in_force_on: dt.date | None = None,
) -> Any:
    """Kantor Imigrasi. `office_class` as written in Indonesian (`I TPI`, `II Non TPI`…)."""
    return _rows(request, "immigration-offices", q=q, kind=office_class, province=province, confidence=confidence, in_force_on=in_force_on)


@router.get("/detention-centres", response={200: list[DetentionCentreOut], **_ERRORS}, summary="List immigration detention centres")
@paginate(PageNumberPagination, **_PAGE)
def detention_centre_list(
    request: HttpRequest,
    q: str | None = None,
    province: str | None = None,
    confidence: str | None = None,
    in_force_on: dt.date | None = None,
) -> Any:
    """Rumah Detensi Imigrasi (Rudenim)."""
    return _rows(request, "detention-centres", q=q, province=province, confidence=confidence, in_force_on=in_force_on)


@router.get("/checkpoints", response={200: list[CheckpointOut], **_ERRORS}, summary="List immigration checkpoints")
@paginate(PageNumberPagination, **_PAGE)
def checkpoint_list(
    request: HttpRequest,
    q: str | None = None,
    kind: str | None = None,
    province: str | None = None,
    confidence: str | None = None,
    in_force_on: dt.date | None = None,
) -> Any:
    """Tempat Pemeriksaan Imigrasi: `kind` is `airport`, `seaport` or `land_border`."""
    return _rows(request, "checkpoints", q=q, kind=kind, province=province, confidence=confidence, in_force_on=in_force_on)


@router.get("/missions", response={200: list[ForeignMissionOut], **_ERRORS}, summary="List foreign missions")
@paginate(PageNumberPagination, **_PAGE)
def mission_list(
    request: HttpRequest,
    q: str | None = None,
    kind: str | None = None,
    province: str | None = None,
    confidence: str | None = None,
    in_force_on: dt.date | None = None,
) -> Any:
    """Foreign missions. `kind` is the mission type (`embassy`, `consulate_general`, …); `q` also matches the country code."""
    return _rows(request, "missions", q=q, kind=kind, province=province, confidence=confidence, in_force_on=in_force_on)


@router.get("/legal-bases", response={200: list[LegalBasisOut], **_ERRORS}, summary="List legal bases")
@paginate(PageNumberPagination, **_PAGE)
def legal_basis_list(
    request: HttpRequest, q: str | None = None, kind: str | None = None, confidence: str | None = None, in_force_on: dt.date | None = None
) -> Any:
    """Articles of UU 6/2011 as amended. `in_force_on=YYYY-MM-DD` picks the wording valid on that date."""
    return _rows(request, "legal-bases", q=q, kind=kind, confidence=confidence, in_force_on=in_force_on)
