"""Secrets kept at rest (mail passwords, later OAuth tokens), encrypted with Fernet.

The keys come from COMPTOIR_SECRET_KEYS (comma-separated Fernet keys, newest first) or,
when that is empty, from the file `secret_keys` of the data dir (one key a line, newest
first), generated on first use with mode 0600. Every key decrypts (MultiFernet); the newest
encrypts. `comptoir rotate_secret_keys` re-encrypts every stored secret with the newest key,
after which the old ones can be removed.

`SecretField` is a text column holding the Fernet token; on the model it reads as the
plain text. A token no key can read comes back as UNREADABLE (an empty, falsy marker) so a
page still opens and says "enter the password again" instead of failing."""

import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

log = logging.getLogger(__name__)

KEY_FILE_NAME = "secret_keys"


class UnreadableSecret(str):
    """A stored secret that none of the current keys decrypts (the key was lost)."""

    __slots__ = ()


UNREADABLE = UnreadableSecret("")


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _valid_key(key: str, origin: str) -> str:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            f"{origin} holds a value that is not a Fernet key (32 url-safe base64 bytes; "
            "make one with `comptoir rotate_secret_keys --new-key`)."
        ) from None
    return key


def _file_keys(path: Path) -> list[str]:
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(Fernet.generate_key().decode() + "\n")
    lines = [line.strip() for line in path.read_text().splitlines()]
    keys = [_valid_key(line, str(path)) for line in lines if line and not line.startswith("#")]
    if not keys:
        raise ImproperlyConfigured(f"{path} holds no key; delete it to generate one.")
    return keys


def current_keys() -> list[str]:
    """The keys, newest first."""
    configured = list(getattr(settings, "COMPTOIR_SECRET_KEYS", []) or [])
    if configured:
        return [_valid_key(key, "COMPTOIR_SECRET_KEYS") for key in configured]
    return _file_keys(key_file())


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key.encode()) for key in keys]
    return fernets[0], MultiFernet(fernets)


def keyring() -> tuple[Fernet, MultiFernet]:
    """(the newest key alone, all keys)."""
    return _fernets(tuple(current_keys()))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return keyring()[1].encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return keyring()[1].decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        # Never log the token: say which kind of failure, nothing more.
        log.warning("A stored secret could not be decrypted with the current keys.")
        return UNREADABLE


def rotated(token: str) -> str | None:
    """The token re-encrypted with the newest key; None when it already is (or is empty).
    Raises InvalidToken when no current key reads it."""
    if not token:
        return None
    newest, every = keyring()
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return every.rotate(token.encode()).decode()
    return None


class SecretField(models.TextField):
    """A text column holding a Fernet token, read and written as plain text on the model."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        if isinstance(value, UnreadableSecret):
            raise ValueError("An unreadable secret cannot be saved back; set a new one.")
        return encrypt(value)


def secret_fields() -> list[tuple[type[models.Model], SecretField]]:
    """Every SecretField of every installed model (what the rotation command walks)."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, SecretField)
    ]
