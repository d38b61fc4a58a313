"""Bad environment settings stop Jembatan at start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import BadEnvironment, env_bool, env_database, env_int, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_bool_accepts_words_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("JB_FLAG", "yes")
    assert env_bool("JB_FLAG", False) is True
    monkeypatch.setenv("JB_FLAG", "off")
    assert env_bool("JB_FLAG", True) is False
    monkeypatch.setenv("JB_FLAG", "maybe")
    with pytest.raises(BadEnvironment) as excinfo:
        env_bool("JB_FLAG", False)
    assert "JB_FLAG" in str(excinfo.value)
    assert "true or false" in str(excinfo.value)
    assert "harus true atau false" in str(excinfo.value)


def test_int_names_variable_and_bound(monkeypatch):
    monkeypatch.setenv("JB_N", "ten")
    with pytest.raises(BadEnvironment, match="JB_N.*whole number"):
        env_int("JB_N", 1)
    monkeypatch.setenv("JB_N", "0")
    with pytest.raises(BadEnvironment, match="at least 1"):
        env_int("JB_N", 5, minimum=1)
    monkeypatch.setenv("JB_N", "7")
    assert env_int("JB_N", 5, minimum=1) == 7


def test_required_string(monkeypatch):
    monkeypatch.delenv("JB_SECRET", raising=False)
    with pytest.raises(BadEnvironment, match="JB_SECRET.*must be set"):
        env_str("JB_SECRET", required=True)


def test_database_url_schemes(monkeypatch):
    monkeypatch.setenv("JB_DB", "mysql://root@localhost/x")
    with pytest.raises(BadEnvironment, match="sqlite:/// or postgres://"):
        env_database("JB_DB", "sqlite:///x.db")
    monkeypatch.setenv("JB_DB", "postgres://root@127.0.0.1:5432/jembatan")
    config = env_database("JB_DB", "sqlite:///x.db")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "jembatan"
    assert config["CONN_MAX_AGE"] == 600
    monkeypatch.delenv("JB_DB")
    sqlite = env_database("JB_DB", "sqlite:////tmp/j.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "oracle://x", "DATABASE_URL"),
        ("SESSION_IDLE_SECONDS", "soon", "SESSION_IDLE_SECONDS"),
        ("USE_SMTP", "perhaps", "USE_SMTP"),
    ],
)
def test_process_fails_fast_with_clear_message(variable, value, expected):
    """`manage.py check` with a bad variable exits non-zero and names it, before doing anything."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.django.local", variable: value})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Variabel lingkungan" in result.stderr


def test_production_requires_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"} and not k.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "config.django.production"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    """`manage.py check --deploy` with production settings reports no warnings."""
    # The browser tests allow sync ORM calls inside Playwright's loop; production never does.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.django.production",
            "SECRET_KEY": "x7" * 30 + "-production-like-secret-key-for-check",
            "ALLOWED_HOSTS": "jembatan.example.go.id",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
