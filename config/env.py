"""The one place that reads the environment.

Every setting that comes from the environment is read here, through django-environ, and
checked at start-up: a bad value stops the process with a message that names the variable
and says what it must look like (in Indonesian and English), instead of failing later in a
request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
APPS_DIR = BASE_DIR / "jembatan"

env = environ.Env()

# A local .env file is read only when present; production sets real environment variables.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(str(BASE_DIR / ".env"))


class BadEnvironment(ImproperlyConfigured):
    """A variable in the environment has a value Jembatan cannot use."""

    def __init__(self, name: str, expected_en: str, expected_id: str, value: Any = None) -> None:
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"Environment variable {name}{shown}: {expected_en} / Variabel lingkungan {name}: {expected_id}")
        self.name = name


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; only true/false/1/0/yes/no/on/off are accepted."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise BadEnvironment(name, "must be true or false", "harus true atau false", raw)


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number not below `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadEnvironment(name, "must be a whole number", "harus bilangan bulat", raw) from None
    if value < minimum:
        raise BadEnvironment(name, f"must be at least {minimum}", f"minimal {minimum}", raw)
    return value


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    """Read a string; `required` ones must be set and non-empty."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        if required or default is None:
            raise BadEnvironment(name, "must be set", "harus diisi")
        return default
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict[str, Any]:
    """Read `DATABASE_URL`: SQLite (`sqlite:///path`) or PostgreSQL (`postgres://…`)."""
    raw = os.environ.get(name) or default
    scheme = raw.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise BadEnvironment(
            name,
            "must start with sqlite:/// or postgres://",
            "harus diawali sqlite:/// atau postgres://",
            raw,
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise BadEnvironment(name, "is not a valid database URL", "bukan URL basis data yang sah", raw) from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME"):
            raise BadEnvironment(name, "needs a file path after sqlite:///", "memerlukan path berkas", raw)
        config["OPTIONS"] = {
            # WAL and a busy timeout let the web server and the task worker share the file
            # (STACK.md §1.3); IMMEDIATE avoids lock upgrades that fail under concurrency.
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        }
    else:
        # Persistent connections are worth 5x on PostgreSQL (STACK.md §2.4).
        config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
    return dict(config)
