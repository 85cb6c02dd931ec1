"""The settings of the test suite: the real ones, plus a test-only object type (projects)
that the shared per-type tests (core/testing/types.py) run through like the built-in ones."""

import atexit
import os
import shutil
import tempfile

# The tests write into a temporary data directory, never the checkout's `var/` (uploaded
# imports, exports, the SQLite file of a served process): made once by the first process
# (pytest's workers inherit it) and removed when that process ends.
if "COMPTOIR_DATA_DIR" not in os.environ:
    os.environ["COMPTOIR_DATA_DIR"] = tempfile.mkdtemp(prefix="comptoir-tests-")
    atexit.register(shutil.rmtree, os.environ["COMPTOIR_DATA_DIR"], ignore_errors=True)

from comptoir.config.settings import *  # noqa: F403
from comptoir.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "comptoir.core.testing.projects"]

# A fixed key: tests never write a key file into the data dir (tests of the key file set
# their own DATA_DIR). The test mail servers listen on 127.0.0.1.
COMPTOIR_SECRET_KEYS = ["Jx4N3S0i0m3QXG5Zr9S2kq7hJ3b8cC1mVwYy0eTqRkQ="]
COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = True

# The installable app's background fetches (Chromium reads the manifest when it likes; the
# service worker its shell and the offline page, signed in) would run in the live server
# while a browser test writes: SQLite's shared in-memory test database then deadlocks (a
# browser test hung on it). tests/browser/test_pwa.py switches it on for itself.
COMPTOIR_SERVICE_WORKER = False

# Opens and clicks written by the request itself, so that a test sees them at once;
# comptoir/mail/tests/test_tracking_queue.py tests the queue.
COMPTOIR_TRACKING_FLUSH_MS = 0
