# Real `comptoir` processes on a database of their own (test_worker.py, test_busy.py).
from comptoir.core.testing.processes import _site_template, site  # noqa: F401
