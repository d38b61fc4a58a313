"""Which mission a notification goes to: by nationality and consular district.

`missions_for(country, province=...)`, in order (the first that yields a mission wins):

1. a resident career consulate (consulate-general or consulate) of the country whose
   consular district covers the province of the place (the detention centre's province,
   or the reporting office's), or which sits in that province;
2. the country's resident embassy (or, failing one, its resident representative office);
3. a mission accredited to Indonesia from abroad (`is_resident=False`);
4. the same, in that order, for the protecting power named in the country's policy
   (the notice then goes "through the protecting power");
5. none: the notification is created without a mission and the consular desk must send
   it by another channel (the inbox shows it).

Art. 37(c) (wreck or air accident): the post "nearest the scene" is found by the same rule
with the province of the scene. Honorary consulates are not chosen (they usually have no
consular-protection mandate; the desk may still copy them).

Consular districts are free text in the reference data ("Bali, Nusa Tenggara Barat and
Nusa Tenggara Timur"): a district covers a province when one of its comma-, "and"- or
colon-separated parts is the province's name or the start of it ("Sulawesi" covers
"Sulawesi Selatan"). Parts the data marks as unverified still count; a consulate with no
district text covers its own province only.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jembatan.reference.models import Country, ForeignMission

CONSULATE_TYPES = (ForeignMission.MissionType.CONSULATE_GENERAL, ForeignMission.MissionType.CONSULATE)
EMBASSY_TYPES = (ForeignMission.MissionType.EMBASSY, ForeignMission.MissionType.REPRESENTATIVE_OFFICE)

_SPLIT = re.compile(r",|;|:|\band\b|\bdan\b|\(|\)", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join((text or "").lower().replace("-", " ").split())


def district_covers(district: str, province: str) -> bool:
    """True if the free-text `district` names `province` (or a region it belongs to)."""
    province = _norm(province)
    if not province or not district:
        return False
    for part in _SPLIT.split(district):
        part = _norm(part)
        for prefix in ("consular district", "district per wikidata", "district", "possibly incomplete"):
            if part.startswith(prefix):
                part = part[len(prefix) :].strip()
        if part and (province == part or province.startswith(part + " ")):
            return True
    return False


def _in_force(country: Country) -> Any:
    today = timezone.localdate()
    return (
        ForeignMission.objects.filter(country=country)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("mission_type", "city", "pk")
    )


def _direct(country: Country, province: str) -> list[ForeignMission]:
    missions = list(_in_force(country))
    resident = [m for m in missions if m.is_resident]
    if province:
        consulates = [m for m in resident if m.mission_type in CONSULATE_TYPES]
        covering = [m for m in consulates if district_covers(m.consular_district, province)]
        covering = covering or [m for m in consulates if _norm(m.province) == _norm(province)]
        if covering:
            # A consulate-general before a consular office.
            covering.sort(key=lambda m: (CONSULATE_TYPES.index(m.mission_type), m.city))
            return covering[:1]
    for kind in EMBASSY_TYPES:
        embassies = [m for m in resident if m.mission_type == kind]
        if embassies:
            return embassies[:1]
    abroad = [m for m in missions if not m.is_resident and m.mission_type != ForeignMission.MissionType.HONORARY_CONSULATE]
    abroad.sort(key=lambda m: m.mission_type != ForeignMission.MissionType.EMBASSY)
    return abroad[:1]


def missions_for(country: Country, *, province: str = "", protecting_power: Country | None = None) -> tuple[list[ForeignMission], bool]:
    """The missions to notify about a national of `country` held or found in `province`,
    and whether they are the protecting power's. `protecting_power` defaults to the one
    named in the country's policy in force today."""
    direct = _direct(country, province)
    if direct:
        return direct, False
    if protecting_power is None:
        from jembatan.notifications.policies import policy_in_force

        policy = policy_in_force(country, timezone.now())
        protecting_power = policy.protecting_power if policy is not None else None
    if protecting_power is not None and protecting_power.pk != country.pk:
        via = _direct(protecting_power, province)
        if via:
            return via, True
    return [], False
