"""Who is acting, for which request: set once by middleware (or a command), read by audit.

Context variables rather than thread locals, so the same code is right in the web server,
the task worker and management commands.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    """Facts about the current unit of work that every audit event carries."""

    request_id: str
    actor: Any = None  # accounts.User or None (system)
    ip_address: str | None = None
    channel: str = "web"  # web, api, worker, command


_current: ContextVar[RequestContext | None] = ContextVar("jembatan_request_context", default=None)


def current() -> RequestContext | None:
    """The context of the work in progress, or None outside any."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def bind(
    *, actor: Any = None, ip_address: str | None = None, channel: str = "web", request_id: str | None = None
) -> Iterator[RequestContext]:
    """Run a block as `actor` (None means the system itself)."""
    ctx = RequestContext(request_id=request_id or new_request_id(), actor=actor, ip_address=ip_address, channel=channel)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(actor: Any, *, channel: str | None = None) -> None:
    """Replace the actor of the current context (API token auth runs after middleware).

    The middleware's `bind` resets the variable when the request ends, so this never leaks
    into the next request.
    """
    ctx = _current.get()
    if ctx is None:
        _current.set(RequestContext(request_id=new_request_id(), actor=actor, channel=channel or "web"))
        return
    _current.set(RequestContext(request_id=ctx.request_id, actor=actor, ip_address=ctx.ip_address, channel=channel or ctx.channel))
