"""The progress line of the import commands: rows, rows/s, per cent and ETA from bytes; a
redrawn bar on a terminal, a plain line every few seconds otherwise (logs, CI)."""

from __future__ import annotations

import time
from typing import TextIO

from jembatan.traffic.importing.pipeline import ProgressInfo


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    def __init__(self, stream: TextIO, label: str, *, plain_every: float = 5.0) -> None:
        self.stream = stream
        self.label = label
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.plain_every = plain_every
        self._last = 0.0

    def __call__(self, info: ProgressInfo) -> None:
        now = time.monotonic()
        share = info.bytes_done / info.bytes_total if info.bytes_total else 1.0
        elapsed = now - info.started
        eta = elapsed / share - elapsed if share > 0 else 0.0
        text = f"{info.rows:>12,} rows  {info.rate:>10,.0f} rows/s  {share:6.1%}  ETA {_duration(eta)}"
        if self.tty:
            width = 24
            filled = int(width * share)
            self.stream.write(f"\r{self.label[:30]:<30} [{'#' * filled}{'.' * (width - filled)}] {text}")
            self.stream.flush()
        elif now - self._last >= self.plain_every or share >= 1.0:
            self.stream.write(f"{self.label}: {text}\n")
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
