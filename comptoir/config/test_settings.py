"""The settings of the test suite: the real ones, plus a test-only object type (projects)
that the shared per-type tests (core/testing/types.py) run through like the built-in ones."""

from comptoir.config.settings import *  # noqa: F403
from comptoir.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "comptoir.core.testing.projects"]
