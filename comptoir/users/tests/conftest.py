# Real `comptoir` processes on a new database (test_production_install.py).
from comptoir.core.testing.processes import fresh_site  # noqa: F401
