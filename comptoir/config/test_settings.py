"""The settings of the test suite: the real ones, plus a test-only object type (projects)
that the shared per-type tests (core/testing/types.py) run through like the built-in ones."""

from comptoir.config.settings import *  # noqa: F403
from comptoir.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "comptoir.core.testing.projects"]

# A fixed key: tests never write a key file into the data dir (tests of the key file set
# their own DATA_DIR). The test mail servers listen on 127.0.0.1.
COMPTOIR_SECRET_KEYS = ["Jx4N3S0i0m3QXG5Zr9S2kq7hJ3b8cC1mVwYy0eTqRkQ="]
COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = True
