"""Configuration from the environment: sane defaults, loud failures (rule 10)."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from comptoir.config import env


def test_sqlite_by_default_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.database(tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "comptoir.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_the_lock_timeout_bounds_sqlite_and_postgresql_waits(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COMPTOIR_DB_LOCK_TIMEOUT", "7")
    options = env.database(tmp_path)["OPTIONS"]
    assert options["timeout"] == 7 and "PRAGMA busy_timeout=7000;" in options["init_command"]
    monkeypatch.setenv("DATABASE_URL", "postgres://crm@db/comptoir?options=-c%20work_mem%3D64MB")
    assert env.database(tmp_path)["OPTIONS"]["options"] == "-c work_mem=64MB -c lock_timeout=7s"
    monkeypatch.setenv("COMPTOIR_DB_LOCK_TIMEOUT", "0")
    with pytest.raises(ImproperlyConfigured, match="COMPTOIR_DB_LOCK_TIMEOUT=0 must be at least 1"):
        env.database(tmp_path)


def test_postgres_from_database_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://crm:pw@db.internal:5433/comptoir")
    config = env.database(tmp_path)
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "comptoir",
    )


@pytest.mark.parametrize("url", ["mysql://u@h/db", "nonsense", "postgres://"])
def test_unsupported_database_urls_fail_loudly(tmp_path, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database(tmp_path)


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) >= 50
    assert env.secret_key(tmp_path) == first
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env.secret_key(tmp_path)


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("YES", True)])
def test_booleans(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG") is value


def test_nonsense_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)


def test_a_bad_setting_stops_the_command_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "comptoir.manage", "check"],
        env={
            "PATH": "/usr/bin:/bin",
            "COMPTOIR_DATA_DIR": str(tmp_path),
            "COMPTOIR_DEBUG": "perhaps",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "COMPTOIR_DEBUG='perhaps' is not a boolean" in result.stderr
