"""Reads of the reference tables, shared by the pages, the API and the home panel.

Reference data is not personal data, so these reads are not audited and not scoped: every
user with `reference.view_reference` sees every row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import NotFound
from jembatan.reference.models import (
    Checkpoint,
    Confidence,
    Country,
    DetentionCentre,
    ForeignMission,
    ImmigrationOffice,
    LegalBasis,
)


@dataclass(frozen=True)
class ReferenceTable:
    """How one reference table is listed, searched and filtered."""

    slug: str
    model: type[Model]
    title: str | Promise
    description: str | Promise
    url_name: str
    search_fields: tuple[str, ...]
    kind_field: str | None = None
    kind_label: str | Promise = ""
    has_province: bool = True
    select_related: tuple[str, ...] = ()

    @property
    def admin_url_name(self) -> str:
        return f"admin:reference_{self.model._meta.model_name}_changelist"

    @property
    def admin_change_url_name(self) -> str:
        return f"admin:reference_{self.model._meta.model_name}_change"


TABLES: dict[str, ReferenceTable] = {
    t.slug: t
    for t in (
        ReferenceTable(
            slug="countries",
            model=Country,
            title=_("Countries and nationality codes"),
            description=_("ISO 3166-1 countries and the ICAO 9303 special codes used in travel documents."),
            url_name="reference:country_list",
            search_fields=("code", "alpha2", "name_id", "name_en", "iso_equivalent"),
            kind_field="kind",
            kind_label=_("Kind"),
            has_province=False,
        ),
        ReferenceTable(
            slug="immigration-offices",
            model=ImmigrationOffice,
            title=_("Immigration offices"),
            description=_("Kantor Imigrasi, with their class, city, province and time zone."),
            url_name="reference:office_list",
            search_fields=("code", "name_id", "name_en", "city", "province"),
            kind_field="office_class",
            kind_label=_("Class"),
        ),
        ReferenceTable(
            slug="detention-centres",
            model=DetentionCentre,
            title=_("Immigration detention centres"),
            description=_("The thirteen Rumah Detensi Imigrasi (Rudenim)."),
            url_name="reference:detention_centre_list",
            search_fields=("code", "name_id", "name_en", "city", "province"),
        ),
        ReferenceTable(
            slug="checkpoints",
            model=Checkpoint,
            title=_("Immigration checkpoints"),
            description=_("Tempat Pemeriksaan Imigrasi (TPI): airports, seaports and land border posts."),
            url_name="reference:checkpoint_list",
            search_fields=("code", "name_id", "name_en", "city", "province"),
            kind_field="kind",
            kind_label=_("Kind"),
        ),
        ReferenceTable(
            slug="missions",
            model=ForeignMission,
            title=_("Foreign missions"),
            description=_("Embassies, consulates and other foreign missions resident in or accredited to Indonesia."),
            url_name="reference:mission_list",
            search_fields=("sending_entity", "name_id", "name_en", "city", "province", "country__code", "consular_district"),
            kind_field="mission_type",
            kind_label=_("Type"),
            select_related=("country",),
        ),
        ReferenceTable(
            slug="legal-bases",
            model=LegalBasis,
            title=_("Legal bases"),
            description=_("Articles of the Immigration Law (UU 6/2011 as amended) that cases and actions rest on."),
            url_name="reference:legal_basis_list",
            search_fields=("law", "article", "paragraph", "summary_en", "summary_id", "max_penalty"),
            kind_field="kind",
            kind_label=_("Kind"),
            has_province=False,
        ),
    )
}


def reference_table_get(slug: str) -> ReferenceTable:
    try:
        return TABLES[slug]
    except KeyError:
        raise NotFound() from None


@dataclass(frozen=True)
class TableSummary:
    table: ReferenceTable
    total: int
    in_force: int
    low: int
    medium: int
    corrected: int


def reference_table_summaries(*, on: dt.date | None = None) -> list[TableSummary]:
    """Row counts per table: all rows, in force `on` (default today), by confidence, corrected."""
    summaries = []
    for table in TABLES.values():
        counts = table.model.objects.aggregate(  # type: ignore[attr-defined]
            total=Count("pk"),
            low=Count("pk", filter=Q(confidence=Confidence.LOW)),
            medium=Count("pk", filter=Q(confidence=Confidence.MEDIUM)),
            corrected=Count("pk", filter=Q(locally_corrected=True)),
        )
        in_force = table.model.objects.in_force(on).count()  # type: ignore[attr-defined]
        summaries.append(TableSummary(table=table, in_force=in_force, **counts))
    return summaries


def reference_review_counts() -> list[tuple[ReferenceTable, int]]:
    """Low-confidence rows per table, for administrators to review (tables with none left out)."""
    found = []
    for table in TABLES.values():
        low = table.model.objects.filter(confidence=Confidence.LOW).count()  # type: ignore[attr-defined]
        if low:
            found.append((table, low))
    return found


def reference_row_list(
    *,
    table: ReferenceTable,
    q: str | None = None,
    kind: str | None = None,
    province: str | None = None,
    confidence: str | None = None,
    in_force_on: dt.date | None = None,
) -> QuerySet[Any]:
    """The rows of `table` matching every filter given (case-insensitive search on names and codes)."""
    rows = table.model.objects.all()  # type: ignore[attr-defined]
    if table.select_related:
        rows = rows.select_related(*table.select_related)
    if q and q.strip():
        condition = Q()
        for term in q.split():
            term_condition = Q()
            for name in table.search_fields:
                term_condition |= Q(**{f"{name}__icontains": term})
            condition &= term_condition
        rows = rows.filter(condition)
    if kind and table.kind_field:
        rows = rows.filter(**{table.kind_field: kind})
    if province and table.has_province:
        rows = rows.filter(province=province)
    if confidence:
        rows = rows.filter(confidence=confidence)
    if in_force_on:
        rows = rows.in_force(in_force_on)
    return rows


def reference_kind_choices(table: ReferenceTable) -> list[tuple[str, str]]:
    """The values the table's kind/type/class filter offers: the field's choices, or the
    distinct values stored (office classes are free text)."""
    if not table.kind_field:
        return []
    field = table.model._meta.get_field(table.kind_field)
    choices = getattr(field, "choices", None)
    if choices:
        return [(str(value), str(label)) for value, label in choices]
    values = table.model.objects.exclude(**{table.kind_field: ""}).values_list(table.kind_field, flat=True)  # type: ignore[attr-defined]
    return [(v, v) for v in sorted(set(values))]


def reference_province_choices(table: ReferenceTable) -> list[str]:
    if not table.has_province:
        return []
    return sorted(set(table.model.objects.values_list("province", flat=True)))  # type: ignore[attr-defined]


def country_get(*, code: str) -> Country:
    """The country or nationality code `code` (case-insensitive), or NotFound."""
    try:
        return Country.objects.get(code=code.strip().upper())
    except Country.DoesNotExist:
        raise NotFound(_("No country or nationality code %(code)s.") % {"code": code}) from None
