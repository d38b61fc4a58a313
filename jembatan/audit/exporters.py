"""CSV export of audit events (UX.md §3.9): UTF-8 with BOM, RFC 4180, ISO 8601 with offset,
stable column names and codes, cells that a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation

from jembatan.audit.models import AuditEvent
from jembatan.audit.render import action_label

BOM = "\ufeff"
COLUMNS = [
    "id",
    "occurred_at",
    "user",
    "agency",
    "action_code",
    "action",
    "object_type",
    "object_id",
    "object",
    "purpose",
    "request_id",
    "channel",
    "ip_address",
    "data",
    "hash",
]
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would evaluate with an apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose `write` hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def event_row(event: AuditEvent, tz: ZoneInfo) -> list[Any]:
    return [
        event.pk,
        event.occurred_at.astimezone(tz).isoformat(timespec="seconds"),
        event.actor_label,
        event.agency.code if event.agency is not None else "",
        int(event.action),
        action_label(event.action),
        event.object_type,
        event.object_id,
        event.object_repr,
        event.purpose,
        event.request_id,
        event.channel,
        event.ip_address,
        json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
        event.hash,
    ]


def csv_lines(events: Iterable[AuditEvent], *, zone: str, language: str) -> Iterator[str]:
    """The file, line by line: BOM and header first. Times in `zone`, labels in `language`."""
    writer = csv.writer(_Echo())
    tz = ZoneInfo(zone)
    yield BOM + writer.writerow(COLUMNS)
    with translation.override(language):
        for event in events:
            yield writer.writerow([safe_cell(cell) for cell in event_row(event, tz)])
