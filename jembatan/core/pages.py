"""Helpers every agency page uses: the capability gate that turns domain errors into HTTP
answers in one place (STYLE rule 7), and the query string kept across pagination."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from jembatan.core.exceptions import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def capability_required(codename: str) -> Callable[[View], View]:
    """Sign-in required (redirect to login), then `codename` (403); inside the view a
    `NotFound` from a selector becomes 404 and a domain `PermissionDenied` becomes 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(codename):
                raise DjangoPermissionDenied
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404 from None
            except PermissionDenied:
                raise DjangoPermissionDenied from None

        return login_required(wrapper)

    return decorator


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters as `a=1&b=2&` (empty ones dropped), ready for `?{{ qs }}page=N`."""
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page" and v]
    return urlencode(params) + "&" if params else ""
