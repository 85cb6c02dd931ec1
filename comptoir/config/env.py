"""Typed readers for configuration from the environment.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot understand,
so a typo in deployment stops the process at start instead of misbehaving later.
"""

import ipaddress
import os
import re
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_addresses(name: str) -> list[str]:
    """A comma-separated list of IP addresses (the proxies trusted to say who the client
    is), each as Python writes it (so that a REMOTE_ADDR compares equal)."""
    found = []
    for item in env_list(name, []):
        try:
            found.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={os.environ[name]!r}: {item!r} is not an IP address "
                "(use addresses such as 127.0.0.1, ::1, comma-separated)."
            ) from None
    return found


def env_host_port(name: str) -> str:
    """A server as host or host:port (a DNS server: 192.0.2.53 or 192.0.2.53:5353)."""
    value = env_str(name)
    host, sep, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    port_ok = not sep or (re.fullmatch("[0-9]{1,5}", port) and 0 < int(port) < 65536)
    if value and (not (host if sep else value) or not port_ok):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a server address (use 192.0.2.53 or 192.0.2.53:5353)."
        )
    return value


def env_choice(name: str, default: str, choices: set[str], *, upper: bool = False) -> str:
    value = env_str(name, default)
    if upper:  # names such as log levels, read in any case
        value = value.upper()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
    return value


def env_url(name: str, default: str) -> str:
    """An absolute http(s) address such as https://crm.example.com (no trailing slash kept)."""
    value = env_str(name, default)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an http(s) address (use https://crm.example.com)."
        )
    return value.rstrip("/")


def env_email(name: str, default: str) -> str:
    """An address, alone or with a display name: `crm@example.com`, `CRM <crm@example.com>`."""
    value = env_str(name, default)
    _display, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if not local or not domain or any(c.isspace() or c in "\r\n" for c in address):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an email address (use crm@example.com or "
            "'Comptoir <crm@example.com>')."
        )
    return value


def env_file(name: str) -> str:
    """The path of a readable file, or empty when the variable is unset."""
    value = env_str(name)
    if value and not Path(value).is_file():
        raise ImproperlyConfigured(f"{name}={value!r} is not a file.")
    return value


def data_dir() -> Path:
    """The directory holding the SQLite file, the secret key and uploaded files."""
    path = Path(env_str("COMPTOIR_DATA_DIR", "var")).resolve()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"COMPTOIR_DATA_DIR={path} exists and is not a directory.")
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    value = env_str("SECRET_KEY")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured("SECRET_KEY is set but shorter than 32 characters.")
        return value
    key_file = directory / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    value = key_file.read_text().strip()
    if len(value) < 32:
        raise ImproperlyConfigured(
            f"{key_file} holds no usable secret key; delete it to regenerate."
        )
    return value


def db_lock_timeout() -> int:
    """COMPTOIR_DB_LOCK_TIMEOUT: how long (seconds) a writer waits for a locked database."""
    return env_int("COMPTOIR_DB_LOCK_TIMEOUT", 30, minimum=1)


def database(directory: Path) -> dict:
    """DATABASE_URL (PostgreSQL or SQLite), default: SQLite file in the data dir.

    A writer that finds the database locked waits for it, up to COMPTOIR_DB_LOCK_TIMEOUT
    seconds (SQLite's busy timeout, PostgreSQL's lock_timeout); past that the request
    answers 503 with Retry-After (comptoir.core.busy) instead of waiting for ever."""
    import dj_database_url

    lock_timeout = db_lock_timeout()

    url = env_str("DATABASE_URL")
    if not url:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(directory / "comptoir.sqlite3"),
        }
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:  # the library raises several types for bad URLs
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be parsed: {exc}") from None
        engine = config.get("ENGINE", "")
        if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: only postgres:// and sqlite:/// are supported."
            )
        if not config.get("NAME"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r} names no database (postgres://user@host:5432/name, "
                "sqlite:////absolute/path)."
            )
    if config["ENGINE"].endswith("sqlite3"):
        # Keep each thread's connection: reopening it (and re-running the PRAGMAs) on every
        # request cost more than the request itself.
        config["CONN_MAX_AGE"] = None
        config.pop("CONN_HEALTH_CHECKS", None)
        config["OPTIONS"] = {
            # IMMEDIATE avoids "database is locked" upgrades from read to write mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": lock_timeout,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={lock_timeout * 1000};"
                "PRAGMA cache_size=-131072;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=1073741824;"
            ),
        }
        config["TEST"] = {"NAME": None}
    else:
        options = config.setdefault("OPTIONS", {})
        given = options.get("options", "")
        if "lock_timeout" not in given:
            options["options"] = f"{given} -c lock_timeout={lock_timeout}s".strip()
        config["TEST"] = {"NAME": env_str("COMPTOIR_TEST_DATABASE") or None}
    return config


def cache(url: str) -> dict:
    """COMPTOIR_CACHE_URL: redis://host:6379/0, or empty for a per-process memory cache."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"COMPTOIR_CACHE_URL={url!r}: use redis://host:port/db.")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def storage(directory: Path) -> dict:
    """COMPTOIR_STORAGE: where imports, exports and attachments are kept (docs/deployment.md,
    "File storage"). `database` (default): in the database, seen by every machine using it;
    `s3`: an S3-compatible bucket (COMPTOIR_S3_*); `filesystem`: the data dir's `media`
    directory, for a single machine."""
    kind = env_choice("COMPTOIR_STORAGE", "database", {"database", "s3", "filesystem"})
    if kind == "database":
        return {"BACKEND": "comptoir.core.files.database.DatabaseStorage"}
    if kind == "filesystem":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory / "media")},
        }
    bucket = env_str("COMPTOIR_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("COMPTOIR_STORAGE=s3 needs COMPTOIR_S3_BUCKET (a bucket name).")
    options = {
        "bucket_name": bucket,
        "file_overwrite": False,  # a name is never reused: another file gets another name
        "default_acl": None,
        "querystring_auth": True,
        "location": env_str("COMPTOIR_S3_PREFIX").strip("/"),
    }
    endpoint = env_str("COMPTOIR_S3_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = env_url("COMPTOIR_S3_ENDPOINT_URL", "")
    for variable, option in (
        ("COMPTOIR_S3_ACCESS_KEY_ID", "access_key"),
        ("COMPTOIR_S3_SECRET_ACCESS_KEY", "secret_key"),
        ("COMPTOIR_S3_REGION", "region_name"),
    ):
        if env_str(variable):
            options[option] = env_str(variable)
    if ("access_key" in options) != ("secret_key" in options):
        raise ImproperlyConfigured(
            "Set both COMPTOIR_S3_ACCESS_KEY_ID and COMPTOIR_S3_SECRET_ACCESS_KEY, or neither "
            "(the AWS_* variables or the machine's role then apply)."
        )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
