"""Comptoir settings: everything comes from the environment (see README, "Configuration")."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from comptoir.config import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.env_bool("COMPTOIR_DEBUG", False)
ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form is the 403 page in the app's frame (errors.py), not Django's bare one.
CSRF_FAILURE_VIEW = "comptoir.config.errors.csrf_failure"

# COMPTOIR_HTTPS: served over HTTPS, usually behind a proxy that terminates TLS and says so
# with `X-Forwarded-Proto: https` (docs/deployment.md). One switch for what HTTPS needs:
# cookies sent over HTTPS only, plain HTTP redirected (but /healthz, for load balancers
# probing the app directly), HSTS. `comptoir check --deploy` then reports nothing.
COMPTOIR_HTTPS = env.env_bool("COMPTOIR_HTTPS", False)
if COMPTOIR_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.env_int("COMPTOIR_HSTS_SECONDS", 31_536_000, minimum=0)
    # HSTS for the other names of the domain, and the browsers' preload list, commit more
    # than this site: the administrator's choice, off unless set (hence W005 and W021 off).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("COMPTOIR_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env.env_bool("COMPTOIR_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "comptoir.core",
    "comptoir.users",
    "comptoir.contacts",
    "comptoir.companies",
    "comptoir.deals",
    "comptoir.activities",
    "comptoir.hubspot_api",
    "comptoir.settings_pages",
    "comptoir.notifications",
    "comptoir.mail",
    "comptoir.dashboard",
    "comptoir.imports",
    "comptoir.salestools",
    "comptoir.meetings",
    "comptoir.emailtemplates",
    "comptoir.documents",
    "comptoir.sequences",
    "comptoir.prospects",
    "comptoir.webhooks",
    "comptoir.demo",
]

MIDDLEWARE = [
    "comptoir.core.metrics.MetricsMiddleware",  # first: it times everything below
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "comptoir.hubspot_api.ratelimit.RateLimitHeadersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "comptoir.users.middleware.UserLanguageMiddleware",
    "comptoir.users.middleware.AuditContextMiddleware",
    "comptoir.users.middleware.TwoFactorRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comptoir.core.middleware.UnstorableInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "comptoir.core.busy.BusyDatabaseMiddleware",
]

# Content-Security-Policy on every response: scripts and styles only from our own static
# files, so no inline script, event handler or style attribute anywhere (behaviours hang on
# data-* attributes read by the scripts of static/js/; htmx is told not to inject its indicator
# style nor evaluate code, see base.html). data: images: the API docs' stylesheet uses one.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

ROOT_URLCONF = "comptoir.config.urls"
WSGI_APPLICATION = "comptoir.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.core.ui.nav.nav_items",
                "comptoir.core.pwa.service_worker_setting",
            ],
        },
    },
]

DATABASES = {"default": env.database(DATA_DIR)}
COMPTOIR_DB_LOCK_TIMEOUT = env.db_lock_timeout()  # what the database options above wait
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

TASKS = {
    "default": {
        "BACKEND": env.env_choice(
            "COMPTOIR_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend",
            {"django_tasks_db.DatabaseBackend", "django.tasks.backends.immediate.ImmediateBackend"},
        ),
    }
}

LANGUAGE_CODE = env.env_choice("COMPTOIR_LANGUAGE", "en", {"en", "fr"})
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
# Stored files (imports, exports, mail attachments, photos): in the database unless
# COMPTOIR_STORAGE says otherwise (comptoir/core/files; docs/deployment.md, "File storage").
STORAGES = {
    "default": env.storage(DATA_DIR),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Mail (password reset, notifications): the portal's account set in Settings > Email, else
# this SMTP server, else the console (comptoir/mail/backend.py). COMPTOIR_SMTP_TLS is
# STARTTLS, COMPTOIR_SMTP_SSL implicit TLS (port 465).
MAILERS = {
    "default": {
        "BACKEND": "comptoir.mail.backend.PortalBackend",
        "OPTIONS": {
            "host": env.env_str("COMPTOIR_SMTP_HOST"),
            "port": env.env_int("COMPTOIR_SMTP_PORT", 25, minimum=1),
            "username": env.env_str("COMPTOIR_SMTP_USER") or None,
            "password": env.env_str("COMPTOIR_SMTP_PASSWORD") or None,
            "use_tls": env.env_bool("COMPTOIR_SMTP_TLS", False),
            "use_ssl": env.env_bool("COMPTOIR_SMTP_SSL", False),
            "timeout": 30,
        },
    }
}
if MAILERS["default"]["OPTIONS"]["use_tls"] and MAILERS["default"]["OPTIONS"]["use_ssl"]:
    raise ImproperlyConfigured("Set COMPTOIR_SMTP_TLS or COMPTOIR_SMTP_SSL, not both.")
DEFAULT_FROM_EMAIL = env.env_email("COMPTOIR_FROM_EMAIL", "comptoir@localhost")

# Secrets stored in the database (mail passwords) are encrypted with these Fernet keys,
# newest first; empty: a key generated once in the data dir's `secret_keys` file
# (comptoir/core/secrets.py; `comptoir rotate_secret_keys` re-encrypts with the newest).
COMPTOIR_SECRET_KEYS = env.env_list("COMPTOIR_SECRET_KEYS", [])
# Mailboxes (comptoir/mail): outbound SMTP and IMAP connections. Private, loopback and
# link-local addresses are refused unless allowed (a mail server on the local network);
# a CA file is trusted besides the system's (a server with a private certificate).
COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS = env.env_bool("COMPTOIR_MAIL_ALLOW_PRIVATE_HOSTS", False)
COMPTOIR_MAIL_TIMEOUT = env.env_int("COMPTOIR_MAIL_TIMEOUT", 10, minimum=1)
COMPTOIR_MAIL_CA_FILE = env.env_file("COMPTOIR_MAIL_CA_FILE")
# A send claimed this long ago and not finished lost its worker (comptoir/mail/delivery.py).
COMPTOIR_MAIL_SEND_STALL = env.env_int("COMPTOIR_MAIL_SEND_STALL", 600, minimum=1)
# The attachments of one email sent from Comptoir, in all (MB; most servers take 20 to 25).
COMPTOIR_MAIL_ATTACHMENTS_MB = env.env_int("COMPTOIR_MAIL_ATTACHMENTS_MB", 10, minimum=1)
# One file of the documents library (TOOL-4, comptoir/documents), in MB.
COMPTOIR_DOCUMENTS_MAX_MB = env.env_int("COMPTOIR_DOCUMENTS_MAX_MB", 25, minimum=1)
# The document viewer sends the time read per page every this many seconds (and when the
# reader leaves); the browser tests shorten it to see several beacons of one reading.
COMPTOIR_DOCUMENTS_BEACON_SECONDS = 10
# Opens and clicks of tracked emails are queued by the server process and written every
# this many milliseconds in one transaction (comptoir/mail/hits.py); 0: each request
# writes its own before answering.
COMPTOIR_TRACKING_FLUSH_MS = env.env_int("COMPTOIR_TRACKING_FLUSH_MS", 200, minimum=0)
# Meetings (comptoir/meetings/calendars.py): seconds a user's CalDAV calendar has to answer
# each request (the booking page's busy times, the worker's writes), then it is given up.
COMPTOIR_CALDAV_TIMEOUT = env.env_int("COMPTOIR_CALDAV_TIMEOUT", 5, minimum=1)
# Webhooks (comptoir/webhooks): target URLs on private, loopback or link-local addresses
# are refused unless allowed (a receiver on the local network); a CA file is trusted
# besides the system's; a receiver answers within the timeout (seconds) or the try failed;
# an app whose batches failed every try this many times in a row is switched off.
COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS = env.env_bool("COMPTOIR_WEBHOOK_ALLOW_PRIVATE_HOSTS", False)
COMPTOIR_WEBHOOK_TIMEOUT = env.env_int("COMPTOIR_WEBHOOK_TIMEOUT", 5, minimum=1)
COMPTOIR_WEBHOOK_CA_FILE = env.env_file("COMPTOIR_WEBHOOK_CA_FILE")
COMPTOIR_WEBHOOK_DISABLE_AFTER = env.env_int("COMPTOIR_WEBHOOK_DISABLE_AFTER", 5, minimum=1)

# Mailbox sync and received mail (comptoir/mail/sync.py, comptoir/mail/mailserver.py): the
# messages read per IMAP batch, the largest message kept whole (MB; the SMTP listener
# refuses bigger ones), a sync run's claim after which it is taken as dead (seconds), how
# far back the first sync of a mailbox reads (days), and `comptoir mailserver`'s address.
COMPTOIR_MAIL_SYNC_BATCH = env.env_int("COMPTOIR_MAIL_SYNC_BATCH", 200, minimum=1)
COMPTOIR_MAIL_INBOUND_MB = env.env_int("COMPTOIR_MAIL_INBOUND_MB", 25, minimum=1)
COMPTOIR_MAIL_SYNC_STALL = env.env_int("COMPTOIR_MAIL_SYNC_STALL", 900, minimum=1)
COMPTOIR_MAIL_SYNC_DAYS = env.env_int("COMPTOIR_MAIL_SYNC_DAYS", 30, minimum=0)
COMPTOIR_MAILSERVER_BIND = env.env_str("COMPTOIR_MAILSERVER_BIND", "127.0.0.1:2525")
# `comptoir serve`: its default address and number of processes (0: cores + 1, at most 4).
COMPTOIR_BIND = env.env_str("COMPTOIR_BIND", "127.0.0.1:8000")
WEB_CONCURRENCY = env.env_int("WEB_CONCURRENCY", 0, minimum=0)
# The address users reach Comptoir at: links in notification emails start with it.
COMPTOIR_BASE_URL = env.env_url("COMPTOIR_BASE_URL", "http://127.0.0.1:8000")

# /metrics (Prometheus) answers a bearer token equal to this; empty: no /metrics at all.
COMPTOIR_METRICS_TOKEN = env.env_str("COMPTOIR_METRICS_TOKEN")

# Scheduled backups (comptoir/core/backups.py): the worker writes an archive into this
# directory every COMPTOIR_BACKUP_HOURS and keeps the COMPTOIR_BACKUP_KEEP newest; empty:
# none (`comptoir backup` still works by hand).
COMPTOIR_BACKUP_DIR = env.env_str("COMPTOIR_BACKUP_DIR")
COMPTOIR_BACKUP_HOURS = env.env_int("COMPTOIR_BACKUP_HOURS", 24, minimum=1)
COMPTOIR_BACKUP_KEEP = env.env_int("COMPTOIR_BACKUP_KEEP", 7, minimum=1)

# Records stay in the recycle bin this many days before the worker purges them.
COMPTOIR_RESTORE_DAYS = env.env_int("COMPTOIR_RESTORE_DAYS", 90, minimum=1)
# How many on-demand expression indexes each object type may have.
COMPTOIR_MAX_PROPERTY_INDEXES = env.env_int("COMPTOIR_MAX_PROPERTY_INDEXES", 25, minimum=0)
# Import files past these limits are refused with a message naming the limit (the file
# size and rows are HubSpot's; unpacked size and compression ratio guard against XLSX zip
# bombs, the ratio being Apache POI's).
COMPTOIR_IMPORT_MAX_FILE_SIZE = env.env_int(
    "COMPTOIR_IMPORT_MAX_FILE_SIZE", 512 * 1024**2, minimum=1
)
COMPTOIR_IMPORT_MAX_ROWS = env.env_int("COMPTOIR_IMPORT_MAX_ROWS", 1_048_576, minimum=1)
COMPTOIR_IMPORT_MAX_COLUMNS = env.env_int("COMPTOIR_IMPORT_MAX_COLUMNS", 1000, minimum=1)
COMPTOIR_IMPORT_MAX_ROW_LENGTH = env.env_int("COMPTOIR_IMPORT_MAX_ROW_LENGTH", 1024**2, minimum=1)
COMPTOIR_IMPORT_MAX_UNPACKED = env.env_int("COMPTOIR_IMPORT_MAX_UNPACKED", 512 * 1024**2, minimum=1)
COMPTOIR_IMPORT_MAX_RATIO = env.env_int("COMPTOIR_IMPORT_MAX_RATIO", 100, minimum=1)

# A running import or export shows it is alive this often (seconds); one silent for six
# beats more than its waits for a busy database lost its worker and is resumed by another
# (stall_after, comptoir/imports/models.py).
COMPTOIR_IMPORT_HEARTBEAT = env.env_int("COMPTOIR_IMPORT_HEARTBEAT", 10, minimum=1)

# Per-token API rate limits (requests per 10 s, per day); 0 disables. Generous by default
# so a sync tool is never throttled by accident.
COMPTOIR_API_RATE_LIMIT = env.env_int("COMPTOIR_API_RATE_LIMIT", 1000, minimum=0)
COMPTOIR_API_DAILY_LIMIT = env.env_int("COMPTOIR_API_DAILY_LIMIT", 5_000_000, minimum=0)

# Reverse proxies in front of Comptoir (their IP addresses): from them, the client's address
# (sign-in and password-reset throttling) is read from X-Forwarded-For.
COMPTOIR_TRUSTED_PROXIES = env.env_addresses("COMPTOIR_TRUSTED_PROXIES")

# The DNS server the worker asks for visitors' reverse DNS (Prospects, TOOL-6), "host" or
# "host:port"; empty: the system's resolvers.
COMPTOIR_PROSPECTS_DNS = env.env_host_port("COMPTOIR_PROSPECTS_DNS")
# Website beacons (/p/collect) taken from one client address per minute; more answer 429.
COMPTOIR_PROSPECTS_RATE_LIMIT = env.env_int("COMPTOIR_PROSPECTS_RATE_LIMIT", 300, minimum=0)

# Rate-limit counters and shared caches: Redis when several processes or machines serve.
CACHES = {"default": env.cache(env.env_str("COMPTOIR_CACHE_URL"))}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.env_choice(
            "COMPTOIR_LOG_LEVEL",
            "INFO",
            {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"},
            upper=True,
        ),
    },
}

# The installable app (comptoir/core/pwa.py): the pages link its manifest and register its
# service worker.
COMPTOIR_SERVICE_WORKER = env.env_bool("COMPTOIR_SERVICE_WORKER", True)
