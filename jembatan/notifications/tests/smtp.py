"""A real SMTP server for the delivery tests (aiosmtpd, in a thread of the test process),
and a worker subprocess that sends to it.

`smtp_server` collects every message it accepts; `server.refuse_next(n)` makes it answer the
next `n` DATA commands with a temporary failure (451), as a mail relay that is down would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from jembatan.core.tests.test_jobs_processes import STALE_AFTER_SECONDS, database_url_for_subprocess

SMTP_SETTINGS_MODULE = "jembatan.notifications.tests.smtp_settings"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message_id(message: EmailMessage) -> str:
    """The Message-ID header as sent (a long one arrives folded onto a second line)."""
    return "".join(str(message["Message-ID"]).split())


@dataclass
class Collector:
    """The aiosmtpd handler: keeps what it accepted, refuses on demand."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refused: int = 0
    _refuse: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # Seconds to stall the first RCPT command (a slow relay), and whether it is stalling now.
    hold_first_rcpt: float = 0.0
    holding: bool = False

    def refuse_next(self, count: int) -> None:
        with self._lock:
            self._refuse = count

    async def handle_RCPT(self, server: object, session: object, envelope: object, address: str, rcpt_options: list[str]) -> str:  # noqa: N802
        if self.hold_first_rcpt:
            hold, self.hold_first_rcpt = self.hold_first_rcpt, 0.0
            self.holding = True
            await asyncio.sleep(hold)
            self.holding = False
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            if self._refuse > 0:
                self._refuse -= 1
                self.refused += 1
                return "451 4.3.0 Mail relay busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
            self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[attr-defined, arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


@dataclass
class SmtpServer:
    port: int
    collector: Collector

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.collector.messages

    def refuse_next(self, count: int) -> None:
        self.collector.refuse_next(count)


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port=port, collector=collector)
    finally:
        controller.stop()


def worker_env(port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SMTP_SETTINGS_MODULE,
        "DATABASE_URL": database_url_for_subprocess(),
        "JEMBATAN_TEST_SMTP_PORT": str(port),
        "JOBS_STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
        "JOBS_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@pytest.fixture(name="start_smtp_worker")
def start_smtp_worker_fixture(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen, Path]]]:
    """`start_smtp_worker(worker_id, port, batch=False, **env)`: `manage.py run_worker` on the
    test database, e-mailing through the test SMTP server."""
    started: list[subprocess.Popen] = []

    def _start(worker_id: str, port: int, *, batch: bool = False, **extra: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{worker_id}.log"
        args = [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--worker-id", worker_id]
        if batch:
            args.append("--batch")
        with log.open("wb") as out:
            proc = subprocess.Popen(args, cwd=settings.BASE_DIR, env=worker_env(port, **extra), stdout=out, stderr=subprocess.STDOUT)
        started.append(proc)
        return proc, log

    yield _start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
