# Real `comptoir` processes on a database of their own (test_send_kill.py).
from comptoir.core.testing.processes import _site_template, site  # noqa: F401
