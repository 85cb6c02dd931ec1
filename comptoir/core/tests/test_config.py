"""Configuration from the environment: sane defaults, loud failures (rule 10)."""

import subprocess
import sys
from pathlib import Path

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


def _comptoir(*args: str, tmp_path, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comptoir.manage", *args],
        env={"PATH": "/usr/bin:/bin", "COMPTOIR_DATA_DIR": str(tmp_path), **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COMPTOIR_SMTP_PORT", "abc", "COMPTOIR_SMTP_PORT='abc' is not an integer."),
        ("COMPTOIR_LOG_LEVEL", "loud", "is not one of: CRITICAL, DEBUG, ERROR, INFO, WARNING."),
        ("COMPTOIR_BASE_URL", "crm.example.com", "is not an http(s) address"),
        ("COMPTOIR_FROM_EMAIL", "nobody", "is not an email address"),
        ("COMPTOIR_MAIL_CA_FILE", "/nowhere/ca.pem", "is not a file."),
        ("COMPTOIR_TASK_BACKEND", "celery", "is not one of: django.tasks.backends"),
        ("COMPTOIR_LANGUAGE", "de", "is not one of: en, fr."),
        ("COMPTOIR_TRUSTED_PROXIES", "127.0.0.1, proxy.lan", "'proxy.lan' is not an IP address"),
        ("COMPTOIR_TRUSTED_PROXIES", "10.0.0.0/8", "'10.0.0.0/8' is not an IP address"),
        ("COMPTOIR_PROSPECTS_DNS", "192.0.2.53:abc", "is not a server address"),
        ("COMPTOIR_PROSPECTS_DNS", "192.0.2.53:70000", "is not a server address"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path, variable, value, message):
    result = _comptoir("check", tmp_path=tmp_path, **{variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"comptoir: configuration error: {variable}=")
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_web_concurrency_must_be_a_number(tmp_path):
    result = _comptoir("serve", "--help", tmp_path=tmp_path, WEB_CONCURRENCY="four")
    assert result.returncode == 2
    assert (
        result.stderr
        == "comptoir: configuration error: WEB_CONCURRENCY='four' is not an integer.\n"
    )


def test_version_is_comptoirs_own(tmp_path):
    result = _comptoir("--version", tmp_path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("Comptoir 0.") and "(Django " in result.stdout


def test_good_values_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("X_URL", "https://crm.example.com/")
    assert env.env_url("X_URL", "") == "https://crm.example.com"
    monkeypatch.setenv("X_FROM", "Comptoir <crm@example.com>")
    assert env.env_email("X_FROM", "") == "Comptoir <crm@example.com>"
    monkeypatch.setenv("X_FROM", "crm@example.com\r\nBcc: victim@example.com")
    with pytest.raises(ImproperlyConfigured, match="X_FROM"):
        env.env_email("X_FROM", "")
    monkeypatch.setenv("X_LEVEL", "warning")
    assert env.env_choice("X_LEVEL", "INFO", {"INFO", "WARNING"}, upper=True) == "WARNING"
    (tmp_path / "ca.pem").write_text("x")
    monkeypatch.setenv("X_FILE", str(tmp_path / "ca.pem"))
    assert env.env_file("X_FILE") == str(tmp_path / "ca.pem")
    monkeypatch.delenv("X_FILE")
    assert env.env_file("X_FILE") == ""


def test_the_tests_write_into_a_temporary_data_dir():
    from django.conf import settings

    project = Path(__file__).resolve().parents[3]
    assert not Path(settings.DATA_DIR).resolve().is_relative_to(project)
