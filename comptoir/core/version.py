"""Comptoir's own version (the installed project's metadata), for `comptoir --version` and
backup manifests. Imports nothing of Django: the command line reads it before the settings."""

from importlib.metadata import PackageNotFoundError, version


def comptoir_version() -> str:
    try:
        return version("comptoir")
    except PackageNotFoundError:  # a checkout run without installing the project
        return "unknown"
