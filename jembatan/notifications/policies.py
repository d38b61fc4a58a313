"""Country consular policies: how and how fast each country's nationals are notified.

Treaty facts that change, so they are effective-dated: a change is a new row from a date and
the row it replaces gets `valid_to` (exclusive: the new row's `valid_from`). A decision
stores the row it used, so a decision made last year is explained by the rule in force then.

- `policy_in_force(country, at)`: the row in force on the (Jakarta) date of `at`, or None,
  in which case the Convention's default applies (`DEFAULT_POLICY`).
- `policy_change(*, actor, country, valid_from, **fields)`: record a new version.
- `consular_policies_load()`: the command `load_consular_policies` (data file
  `data/consular_policies.csv`, then a default row for every country without one).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.notifications.models import CountryPolicy, NotificationMode
from jembatan.reference.models import Country

DATA_FILE = Path(__file__).resolve().parent / "data" / "consular_policies.csv"

# The Convention's default (VCCR art. 36(1)(b)): notify at the person's request. 72 hours is
# the outer bound of the US "24–72 hours" guidance and of treaty texts with an explicit
# ceiling (domain.md §2.4). Notices are in Indonesian and English.
DEFAULT_DEADLINE_HOURS = 72
DEFAULT_LANGUAGES = ["id", "en"]
# Indonesia ratified the VCCR by UU 1/1982; the exact day it took effect is not recorded
# here, so default rows start with that year.
DEFAULT_VALID_FROM = dt.date(1982, 1, 1)
DEFAULT_SOURCE = "VCCR 1963 art. 36(1)(b) (notice at the person's request), ratified by Indonesia by UU 1/1982"
DEFAULT_SCOPE = "Convention default: no bilateral rule on record. valid_from = the year of UU 1/1982 (exact date not recorded)."

# Hours a deadline may be set to: from 1 hour to 30 days.
MAX_DEADLINE_HOURS = 720

# The fields a new version may set (everything else is bookkeeping).
POLICY_FIELDS = (
    "mode",
    "deadline_hours",
    "automatic_dispatch",
    "languages",
    "covers_protected_persons",
    "excludes_permanent_residents",
    "protecting_power",
    "agreement_reference",
    "source_instrument",
    "scope_notes",
)

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class DefaultPolicy:
    """The Convention's default, used when a country has no row in force."""

    mode: str = NotificationMode.ON_REQUEST
    deadline_hours: int = DEFAULT_DEADLINE_HOURS
    automatic_dispatch: bool = False
    covers_protected_persons: bool = False
    excludes_permanent_residents: bool = False
    protecting_power: Country | None = None
    rule_version: str = "Convention default (VCCR art. 36(1)(b), on request, 72 h)"


DEFAULT_POLICY = DefaultPolicy()


def _country(country: Country | str) -> Country:
    if isinstance(country, Country):
        return country
    try:
        return Country.objects.get(code=str(country).upper())
    except Country.DoesNotExist:
        raise NotFound(str(_("There is no such country")), field="country") from None


def local_day(at: dt.datetime | dt.date) -> dt.date:
    """The Indonesian calendar day (Jakarta) of `at`: policy periods are whole days."""
    if isinstance(at, dt.datetime):
        if timezone.is_naive(at):
            return at.date()
        return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return at


def in_force_on(queryset: QuerySet[CountryPolicy], day: dt.date) -> QuerySet[CountryPolicy]:
    return queryset.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def policy_in_force(country: Country | str, at: dt.datetime | dt.date) -> CountryPolicy | None:
    """The policy row of `country` in force on the day of `at` (Jakarta), or None (then
    `DEFAULT_POLICY` applies)."""
    country_id = country.pk if isinstance(country, Country) else _country(country).pk
    rows = CountryPolicy.objects.filter(country_id=country_id).select_related("country", "protecting_power")
    return in_force_on(rows, local_day(at)).order_by("-valid_from").first()


def policy_history(country: Country | str) -> list[CountryPolicy]:
    """Every version of a country's policy, newest first."""
    return list(
        CountryPolicy.objects.filter(country=_country(country))
        .select_related("country", "protecting_power", "changed_by")
        .order_by("-valid_from")
    )


def policy_list(*, query: str = "", mode: str = "", on: dt.date | None = None) -> QuerySet[CountryPolicy]:
    """The policies in force on `on` (default today), by country name; `query` matches the
    country's code or names, `mode` filters on the mode. Reference data: no personal data."""
    rows = in_force_on(CountryPolicy.objects.select_related("country", "protecting_power"), on or timezone.localdate())
    query = (query or "").strip()
    if query:
        rows = rows.filter(Q(country__code__iexact=query) | Q(country__name_en__icontains=query) | Q(country__name_id__icontains=query))
    if mode in NotificationMode.values:
        rows = rows.filter(mode=mode)
    return rows.order_by("country__name_en")


def may_manage_policy(actor: Any) -> bool:
    return actor is not None and actor_can(actor, "notifications.manage_policy")


def _languages(value: Any, problems: list[tuple[str, str]]) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    codes = [str(v).strip().lower() for v in (value or []) if str(v).strip()]
    bad = [c for c in codes if not _LANGUAGE.match(c)]
    if bad:
        problems.append(
            (
                "languages",
                str(_("Enter language codes of two or three letters, for example id en zh: “%(bad)s” is not one") % {"bad": bad[0]}),
            )
        )
    ordered = list(DEFAULT_LANGUAGES)
    ordered += [c for c in codes if c not in ordered and _LANGUAGE.match(c)]
    return ordered


def _check(values: dict[str, Any], country: Country) -> dict[str, Any]:
    """Validate and normalise the fields of a new version; raises naming every field."""
    problems: list[tuple[str, str]] = []
    if values.get("mode") not in NotificationMode.values:
        problems.append(("mode", str(_("Select the notification mode"))))
    try:
        hours = int(values.get("deadline_hours"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_DEADLINE_HOURS:
        problems.append(
            ("deadline_hours", str(_("Enter the deadline as a whole number of hours from 1 to %(max)d") % {"max": MAX_DEADLINE_HOURS}))
        )
    values["deadline_hours"] = hours
    values["languages"] = _languages(values.get("languages"), problems)
    power = values.get("protecting_power")
    if power not in (None, "") and not isinstance(power, Country):
        power = Country.objects.filter(code=str(power).upper()).first()
        if power is None:
            problems.append(("protecting_power", str(_("Select the protecting power from the list of countries"))))
    if isinstance(power, Country) and power.pk == country.pk:
        problems.append(("protecting_power", str(_("A country cannot be its own protecting power"))))
    values["protecting_power"] = power or None
    for name, limit in (("agreement_reference", 300),):
        text = str(values.get(name) or "").strip()
        if len(text) > limit:
            problems.append((name, str(_("Enter at most %(limit)d characters") % {"limit": limit})))
        values[name] = text
    for name in ("source_instrument", "scope_notes"):
        values[name] = str(values.get(name) or "").strip()
    for name in ("automatic_dispatch", "covers_protected_persons", "excludes_permanent_residents"):
        values[name] = bool(values.get(name))
    if values["mode"] == NotificationMode.MANDATORY and not values["source_instrument"]:
        problems.append(("source_instrument", str(_("Enter the source of the mandatory rule: the agreement or statement it comes from"))))
    if problems:
        field_name, message = problems[0]
        raise ApplicationError(message, field=field_name, extra={"errors": [{"field": f, "message": m} for f, m in problems]})
    return values


def _snapshot(policy: CountryPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {}
    out: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        out[name] = value.code if isinstance(value, Country) else value
    return out


def policy_change(*, actor: Any, country: Country | str, valid_from: dt.date, **fields: Any) -> CountryPolicy:
    """Record a new version of `country`'s policy from `valid_from`.

    Fields not given are copied from the version in force before (or the Convention's
    default). The current latest version is closed (`valid_to = valid_from`); the new one
    must start after it began. Records `NOTIFICATION_POLICY_CHANGED` with what changed
    (`NOTIFICATION_POLICY_CREATED` for a country's first row). Needs
    `notifications.manage_policy`.
    """
    if not may_manage_policy(actor):
        raise PermissionDenied()
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"policy_change got unknown fields: {sorted(unknown)}")
    country = _country(country)
    if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime):
        raise ApplicationError(str(_("Enter the date the new rule takes effect")), field="valid_from")
    with transaction.atomic():
        latest = CountryPolicy.objects.select_for_update().filter(country=country).order_by("-valid_from").first()
        if latest is not None and valid_from <= latest.valid_from:
            raise ApplicationError(
                str(
                    _("The new rule must take effect after %(date)s, when the latest version began")
                    % {"date": latest.valid_from.isoformat()}
                ),
                field="valid_from",
            )
        base = _snapshot(latest) or {
            "mode": DEFAULT_POLICY.mode,
            "deadline_hours": DEFAULT_POLICY.deadline_hours,
            "automatic_dispatch": False,
            "languages": list(DEFAULT_LANGUAGES),
            "covers_protected_persons": False,
            "excludes_permanent_residents": False,
            "protecting_power": None,
            "agreement_reference": "",
            "source_instrument": "",
            "scope_notes": "",
        }
        if latest is not None and latest.protecting_power is not None:
            base["protecting_power"] = latest.protecting_power
        values = _check({**base, **fields}, country)
        if latest is not None:
            latest.valid_to = valid_from
            latest.save(update_fields=["valid_to", "updated_at"])
        policy = CountryPolicy.objects.create(
            country=country, valid_from=valid_from, changed_by=actor if getattr(actor, "pk", None) else None, **values
        )
        after = _snapshot(policy)
        before = _snapshot(latest)
        changes = {name: [before.get(name), after[name]] for name in POLICY_FIELDS if before.get(name) != after[name]}
        audit_record(
            action=AuditAction.NOTIFICATION_POLICY_CHANGED if latest is not None else AuditAction.NOTIFICATION_POLICY_CREATED,
            target=policy,
            actor=actor,
            data={
                "country": country.code,
                "valid_from": valid_from.isoformat(),
                "previous_policy_id": str(latest.pk) if latest is not None else None,
                "changes": changes,
            },
        )
    return policy


# --- loading the data file --------------------------------------------------------------------


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    defaults_created: int = 0
    problems: list[str] = field(default_factory=list)


_TRUE = {"true", "yes", "1", "y"}


def _row_values(row: dict[str, str], countries: dict[str, Country]) -> dict[str, Any]:
    source = row.get("source", "").strip()
    confidence = row.get("confidence", "").strip()
    power_code = row.get("protecting_power_iso3", "").strip().upper()
    return {
        "mode": row["mode"].strip(),
        "deadline_hours": int(row["deadline_hours"]),
        "automatic_dispatch": row.get("automatic_dispatch", "").strip().lower() in _TRUE,
        "languages": _languages(row.get("languages", ""), []),
        "covers_protected_persons": row.get("covers_protected_persons", "").strip().lower() in _TRUE,
        "excludes_permanent_residents": row.get("excludes_permanent_residents", "").strip().lower() in _TRUE,
        "protecting_power": countries.get(power_code) if power_code else None,
        "agreement_reference": row.get("agreement_reference", "").strip(),
        "source_instrument": f"{source} [confidence: {confidence}]" if confidence else source,
        "scope_notes": row.get("scope_notes", "").strip(),
    }


def _insert_period(country: Country, valid_from: dt.date, values: dict[str, Any]) -> CountryPolicy:
    """Insert a version from `valid_from`, closing the one in force then and ending at the
    next one's start."""
    previous = in_force_on(CountryPolicy.objects.select_for_update().filter(country=country), valid_from).first()
    if previous is not None:
        previous.valid_to = valid_from
        previous.save(update_fields=["valid_to", "updated_at"])
    following = CountryPolicy.objects.filter(country=country, valid_from__gt=valid_from).order_by("valid_from").first()
    return CountryPolicy.objects.create(
        country=country, valid_from=valid_from, valid_to=following.valid_from if following else None, **values
    )


def consular_policies_load(*, path: Path | str | None = None) -> LoadReport:
    """Load the data file, then give every ISO country without any row the Convention's
    default. Idempotent: a second run creates nothing. A row an officer recorded
    (`changed_by` set) is never overwritten by the file."""
    report = LoadReport()
    path = Path(path) if path else DATA_FILE
    countries = {c.code: c for c in Country.objects.all()}
    with transaction.atomic():
        with path.open(encoding="utf-8", newline="") as handle:
            rows: Iterable[dict[str, str]] = list(csv.DictReader(handle))
        for number, row in enumerate(rows, start=2):
            code = (row.get("country_iso3") or "").strip().upper()
            country = countries.get(code)
            if country is None:
                report.problems.append(f"line {number}: no country {code!r} in the reference data (load it first)")
                continue
            try:
                valid_from = dt.date.fromisoformat(row["valid_from"].strip())
                values = _row_values(row, countries)
                if values["mode"] not in NotificationMode.values:
                    raise ValueError(f"mode {values['mode']!r}")
            except (KeyError, ValueError) as error:
                report.problems.append(f"line {number}: {error}")
                continue
            existing = CountryPolicy.objects.filter(country=country, valid_from=valid_from).first()
            if existing is None:
                _insert_period(country, valid_from, values)
                report.created += 1
            elif existing.changed_by_id is not None:
                report.skipped += 1
            elif _snapshot(existing) == {k: (v.code if isinstance(v, Country) else v) for k, v in values.items()}:
                report.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save()
                report.updated += 1
        with_rows = set(CountryPolicy.objects.values_list("country_id", flat=True).distinct())
        new_defaults = [
            CountryPolicy(
                country=country,
                valid_from=DEFAULT_VALID_FROM,
                mode=NotificationMode.ON_REQUEST,
                deadline_hours=DEFAULT_DEADLINE_HOURS,
                automatic_dispatch=False,
                languages=list(DEFAULT_LANGUAGES),
                source_instrument=DEFAULT_SOURCE + " [confidence: high]",
                scope_notes=DEFAULT_SCOPE,
            )
            for country in countries.values()
            if country.kind == Country.Kind.ISO and country.pk not in with_rows
        ]
        CountryPolicy.objects.bulk_create(new_defaults)
        report.defaults_created = len(new_defaults)
        # Countries outside the file that already had their rows: left as they are.
        file_codes = {(row.get("country_iso3") or "").strip().upper() for row in rows}
        report.unchanged += sum(1 for c in countries.values() if c.pk in with_rows and c.code not in file_codes)
        if report.created or report.updated or report.defaults_created:
            audit_record(
                action=AuditAction.NOTIFICATION_POLICY_CREATED,
                target=("notifications.countrypolicy", "", "consular policies data file"),
                data={
                    "file": path.name,
                    "created": report.created,
                    "updated": report.updated,
                    "defaults_created": report.defaults_created,
                },
            )
    return report
