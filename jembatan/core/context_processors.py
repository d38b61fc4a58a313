"""Values every page needs: the signed-in user's agency, unit and zone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jembatan.core.zones import ZONE_ABBREVIATIONS


def jembatan(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    zone = getattr(user, "time_zone", "Asia/Jakarta") if user is not None and user.is_authenticated else "Asia/Jakarta"
    from jembatan.core.home import unread_alert_count

    return {
        "unread_alerts": unread_alert_count(user),
        "service_name": "Jembatan",
        "viewer_zone": zone,
        "viewer_zone_abbr": ZONE_ABBREVIATIONS.get(zone, zone),
        "request_id": getattr(request, "request_id", ""),
    }
