"""Settings for Common Ground, read from environment variables.

Every variable is listed, with its default, in README.md under "Configuration".
"""

import json
import os
import re
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from common.error_tracking import error_tracking_start
from common.logs import logging_settings
from common.release import release_fingerprint

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production unless told otherwise: a forgotten variable must not serve debug pages and a
# development key to the world. `make run` and `make test` set DJANGO_DEBUG=1 themselves.
DEBUG = env_bool("DJANGO_DEBUG", False)

DEVELOPMENT_SECRET_KEY = "development-only-key-do-not-use-in-production-6f1c2b7e9a"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# Production mode refuses to start on development defaults.
if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
else:
    missing = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(set(SECRET_KEY)) < 5:
        missing.append(
            "DJANGO_SECRET_KEY must be a long random value (50 or more characters), for example from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    if not os.environ.get("DJANGO_ALLOWED_HOSTS", "").strip():
        missing.append("DJANGO_ALLOWED_HOSTS must list the host names the site answers to, e.g. glossary.example.com.")
    if missing:
        raise ImproperlyConfigured(
            "Production mode (the default; DJANGO_DEBUG unset or 0) cannot start: "
            + " ".join(missing)
            + " For development mode on this machine set DJANGO_DEBUG=1 (`make run` and `make test` do)."
        )

INSTALLED_APPS = [
    "common",
    "accounts",
    "glossary",
    "webhooks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # The API (glossary.api); listed so that its interactive docs load from the package, not a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First, so that every response carries X-Request-ID, error responses included.
    "common.request_id.RequestIdMiddleware",
    # Before the rest: a load balancer's probe comes by IP address over http, which they refuse.
    "common.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "common.middleware.AdminQueryGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.PrivateForSignedInUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "glossary.caching.ReadStateOncePerRequest",
    # Last: under /api/, Django's and django-ninja's plain 404 and 405 become problem details.
    "glossary.api.errors.UnknownAddressesAsProblems",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "glossary.context_processors.site",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it counts failed log-ins and refuses a locked-out username and address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.DepartmentAwareBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One password tried against many usernames is limited too: this many failures from one address,
# whatever the usernames, lock that address out (common/login_limits.py).
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
AXES_HANDLER = "common.login_limits.PerAddressLimitHandler"
# The proxies in front of the app: a count (`1`) or their addresses and networks
# (`10.0.0.0/8,127.0.0.1`). Empty: no proxy, the client is REMOTE_ADDR and X-Forwarded-For is
# ignored, so a client cannot choose the address the lock-out counts against.
TRUSTED_PROXIES = os.environ.get("DJANGO_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "glossary:term_list"
LOGOUT_REDIRECT_URL = "glossary:term_list"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# In production WhiteNoise serves the static files from the app itself, compressed and with
# content-hashed names after `manage.py collectstatic`; in development runserver serves them.
if not DEBUG:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Transport and browser protections: on in production mode, each switchable by its variable.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: scripts, styles and everything else come from this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Reasons written on publishing name the proposal and every approver: longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Finished PDFs and rendered parts of pages are cached: in this process by default, in Redis when
# several app servers run. What is cached, under which keys and for how long: glossary/caching.py.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
            if REDIS_URL
            # Room for every term's card of a large glossary (about 1 KB each); Django's default is 300.
            else {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "common-ground",
                "OPTIONS": {"MAX_ENTRIES": 20_000},
            }
        ),
        "KEY_PREFIX": release_fingerprint(BASE_DIR),
    }
}
# Counts that every app server must share, such as the API's wrong-token limit (common/limits.py):
# in Redis when there is one, else in a database table (made by `migrate`), never in one process.
CACHES["limits"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "common_limits",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
) | {"KEY_PREFIX": "limits"}
# Names of cached parts (glossary/caching.py) to compute every time instead; bench/pages.py
# --without times pages with and without them.
CACHED_PARTS_OFF = ()

# Background work runs in `manage.py db_worker`, queued in the database, one queue per kind of work
# (glossary/queues.py) so that none waits behind another: large PDF exports, webhook deliveries' first
# tries, and the e-mail a web request causes. A task on any other queue is refused when it is declared.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["exports", "webhooks", "mail"]}}

# Sessions live in the database and are read through the cache: no query per request on a hit.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Common Ground's own settings.
GLOSSARY_ORGANISATION = os.environ.get("GLOSSARY_ORGANISATION", "Common Ground")
# Reading is for signed-in users unless the organisation chooses to open it.
GLOSSARY_PUBLIC_READ = env_bool("GLOSSARY_PUBLIC_READ", False)
# Calls with a token that is not valid, per client address, before the API refuses that address
# for the rest of the window (seconds).
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "20"))
API_TOKEN_FAILURE_WINDOW = int(os.environ.get("API_TOKEN_FAILURE_WINDOW", "600"))
GLOSSARY_PAGE_SIZE = 25
# Months from publishing (or a confirmation) until a term is due for review, unless its
# departments set a shorter period of their own (Department.review_months).
GLOSSARY_REVIEW_MONTHS = int(os.environ.get("GLOSSARY_REVIEW_MONTHS", "12"))
# The Due for review list shows terms due within this many days, and those overdue.
GLOSSARY_REVIEW_WARNING_DAYS = 30
# How far ahead a proposal may set a term's review date.
GLOSSARY_REVIEW_MAX_YEARS = 5
# Approvers are reminded of a proposal that has waited on their department this many days (and again
# after as many more); `manage.py glossary_tick` sends the reminders.
GLOSSARY_REMINDER_DAYS = int(os.environ.get("GLOSSARY_REMINDER_DAYS", "3"))
# Daily digests go out at the first `glossary_tick` after this hour (TIME_ZONE), with what happened before it.
GLOSSARY_DIGEST_HOUR = int(os.environ.get("GLOSSARY_DIGEST_HOUR", "7"))
# Watch notices already mailed are kept this many days, to answer "why did I (not) get this e-mail"
# in the admin, then removed by `glossary_tick` so the table does not grow forever (0 keeps them).
GLOSSARY_KEEP_NOTICES_DAYS = int(os.environ.get("GLOSSARY_KEEP_NOTICES_DAYS", "90"))
# A PDF of more terms than this, not already cached, is built by the task worker, not the request.
# Typst lays out 500 terms in about a second on two cores (bench/pdf_export.py), so a glossary of a
# few hundred terms downloads straight from the click.
GLOSSARY_PDF_INLINE_LIMIT = int(os.environ.get("GLOSSARY_PDF_INLINE_LIMIT", "500"))
# Typst gives up on a PDF that takes longer than this (10,000 terms take under a minute).
GLOSSARY_PDF_TIMEOUT_SECONDS = float(os.environ.get("GLOSSARY_PDF_TIMEOUT_SECONDS", "600"))
# A background export records its progress at most this often (seconds), and at each new stage.
GLOSSARY_PDF_PROGRESS_SECONDS = float(os.environ.get("GLOSSARY_PDF_PROGRESS_SECONDS", "0.5"))

# Webhooks (webhooks/, README "Webhooks"). Endpoints must be https:// unless DEBUG or this.
GLOSSARY_WEBHOOKS_ALLOW_HTTP = env_bool("GLOSSARY_WEBHOOKS_ALLOW_HTTP", False)
# A delivery attempt gives up when connecting or waiting for the answer takes longer than this
# (seconds), or when reading the answer is not done this long after the attempt began.
GLOSSARY_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("GLOSSARY_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Deliveries go straight to the endpoint unless this names a proxy (http://proxy.example:3128);
# the environment's HTTP(S)_PROXY variables are not used for them.
GLOSSARY_WEBHOOK_PROXY = os.environ.get("GLOSSARY_WEBHOOK_PROXY", "")
# Deliveries connect only to public addresses and to these networks (comma-separated, e.g.
# "10.20.0.0/16,192.168.5.7"): whoever registers an endpoint must not reach the server itself or
# the company's inside through it. Development mode allows the machine's own loopback addresses.
GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = os.environ.get(
    "GLOSSARY_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1" if DEBUG else ""
)
# Of a receiver's answer, at most this much is read (bytes); the rest is dropped unread.
GLOSSARY_WEBHOOK_RESPONSE_LIMIT = 64 * 1024
# Delivered and given-up deliveries (with their attempts) are kept this many days after their last
# try, for the endpoint's page, then removed by `glossary_tick`; waiting ones are always kept (0 keeps all).
GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = int(os.environ.get("GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS", "30"))
# The task worker's finished tasks (mails, exports, first webhook tries) are kept this many days for
# the admin's Task results page, then removed by `glossary_tick` (0 keeps them).
GLOSSARY_KEEP_TASK_RESULTS_DAYS = int(os.environ.get("GLOSSARY_KEEP_TASK_RESULTS_DAYS", "30"))

# Where links in e-mails point.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Feed entries' ids are tag: URIs (RFC 4151) minted under a domain held on a date, not addresses, so
# they need not change when SITE_URL does: after a move, set this to the old value.
GLOSSARY_FEED_ID_AUTHORITY = os.environ.get("GLOSSARY_FEED_ID_AUTHORITY", "") or f"{urlsplit(SITE_URL).hostname},2026"
if os.environ.get("GLOSSARY_FEED_ID_AUTHORITY") and not re.fullmatch(
    r"[\w.@-]+,\d{4}(-\d\d){0,2}", GLOSSARY_FEED_ID_AUTHORITY, re.ASCII
):
    raise ImproperlyConfigured(
        "GLOSSARY_FEED_ID_AUTHORITY is a domain and a date it was yours, e.g. 'glossary.example.com,2026-01-01'."
    )

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Common Ground <glossary@localhost>")

# README "Logs, errors and health checks". Every log event goes to stderr, in production as one
# JSON line with the request id; a server error's line holds its traceback.
LOGGING = logging_settings(json_lines=not DEBUG, level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
# Who is mailed each server error's traceback: "Ops <ops@example.com>, b@example.com"; nobody if unset.
ADMINS = [
    (name or address, address) for name, address in getaddresses([os.environ.get("DJANGO_ADMINS", "")]) if address
]
if any("@" not in address for _, address in ADMINS):
    raise ImproperlyConfigured("DJANGO_ADMINS must be e-mail addresses, e.g. 'Ops <ops@example.com>, b@example.com'.")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Common Ground] "
# Sentry, or a service that speaks its protocol, when SENTRY_DSN is set (common/error_tracking.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    error_tracking_start(
        dsn=SENTRY_DSN,
        release=release_fingerprint(BASE_DIR),
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# ---------------------------------------------------------------------------------------------
# Log-in through the organisation's OpenID Connect provider (accounts/oidc.py, README "Logging in
# through your identity provider"). Off unless OIDC_ISSUER and OIDC_CLIENT_ID are set; the
# provider's endpoints come from its discovery document, so the issuer is all there is to point at.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
if OIDC_ISSUER and not DEBUG and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("OIDC_ISSUER must be an https:// address in production mode.")
# Shown on the log-in page's button: "Log in with <name>".
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your organisation's account")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
# {"provider group": {"department": "<slug>", "role": "Reader|Contributor|Department approver|
# Glossary admin"}, ...}, applied at every log-in; people in no listed group are readers.
try:
    OIDC_GROUP_MAP = json.loads(os.environ.get("OIDC_GROUP_MAP", "").strip() or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"OIDC_GROUP_MAP is not valid JSON: {error}") from error
# "all" (passwords work as before) or "break-glass-only" (only OIDC_BREAK_GLASS_USERS may use one).
OIDC_LOCAL_LOGIN = os.environ.get("OIDC_LOCAL_LOGIN", "all").strip().lower()
if OIDC_LOCAL_LOGIN not in {"all", "break-glass-only"}:
    raise ImproperlyConfigured("OIDC_LOCAL_LOGIN must be `all` or `break-glass-only`.")
OIDC_BREAK_GLASS_USERS = env_list("OIDC_BREAK_GLASS_USERS", "")
# Nobody waits long on a provider that is down: every request to it gives up after this.
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "5"))
OIDC_DISCOVERY_CACHE_SECONDS = int(os.environ.get("OIDC_DISCOVERY_CACHE_SECONDS", "3600"))
# Clocks of the provider and the app servers may differ this much (ID token exp and iat).
OIDC_CLOCK_SKEW_SECONDS = int(os.environ.get("OIDC_CLOCK_SKEW_SECONDS", "60"))
OIDC_SIGN_ALGORITHMS = env_list("OIDC_SIGN_ALGORITHMS", "RS256")
# How the client secret reaches the token endpoint: client_secret_basic (the standard's
# default, which every provider accepts) or client_secret_post.
OIDC_TOKEN_USE_BASIC_AUTH = os.environ.get("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic") != "client_secret_post"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
if OIDC_ISSUER and OIDC_RP_CLIENT_ID:
    # Passwords are refused (except for break-glass users) before the password backend is asked.
    AUTHENTICATION_BACKENDS = [
        AUTHENTICATION_BACKENDS[0],
        "accounts.oidc.BreakGlassPasswordGate",
        *AUTHENTICATION_BACKENDS[1:],
        "accounts.oidc.OidcBackend",
    ]
    # Log-out posts a form here that redirects to the provider's end-session page; browsers hold
    # a form's redirects to form-action, so the provider's origin is allowed there (nowhere else).
    _oidc_origin = "/".join(OIDC_ISSUER.split("/")[:3])
    CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {_oidc_origin}"
    )
