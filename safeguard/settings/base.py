"""Safeguard settings shared by every environment, driven by environment variables.

The variables are listed in README.md ("Configuration"). A bad value stops start-up with a message
naming the variable (see ``safeguard.settings.env``).
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("SAFEGUARD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Demo mode: only `make run` sets it. It shows a visible banner and lets demo users skip MFA.
DEMO_MODE = env_bool("SAFEGUARD_DEMO_MODE", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=not (DEBUG or DEMO_MODE)) or "insecure-demo-key-not-for-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SAFEGUARD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = env_str("SAFEGUARD_SERVICE_NAME", "Safeguard")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "django_filters",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "safeguard.core",
    "safeguard.accounts",
    "safeguard.audit",
    "safeguard.partnerships",
    "safeguard.procedures",
    "safeguard.documents",
    "safeguard.subscriptions",
    "safeguard.workdays",
    "safeguard.extracts",
    "safeguard.annexa",
    "safeguard.indicators",
    "safeguard.returns",
    "safeguard.api",
    "safeguard.public",
    "safeguard.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "safeguard.accounts.middleware.WorkspaceSecurityMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # AxesMiddleware must be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safeguard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguard.core.context_processors.service",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# SQLite under var/ is the embedded default; DATABASE_URL=postgres://... switches to PostgreSQL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_sqlite)
try:
    _db = dj_database_url.parse(_database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Safeguard understands: {exc}") from None
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the task worker share the file.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "public:index"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "safeguard.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "safeguard.accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or DEMO_MODE

# OIDC single sign-on (e.g. Microsoft Entra ID): enabled when SAFEGUARD_OIDC_CLIENT_ID is set.
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_str("SAFEGUARD_OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("SAFEGUARD_OIDC_PROVIDER_ID", "entra"),
                "name": env_str("SAFEGUARD_OIDC_NAME", "Microsoft Entra ID"),
                "client_id": env_str("SAFEGUARD_OIDC_CLIENT_ID"),
                "secret": env_str("SAFEGUARD_OIDC_CLIENT_SECRET", required=True),
                "settings": {"server_url": env_str("SAFEGUARD_OIDC_SERVER_URL", required=True)},
            }
        ],
    }

# django-axes: 5 failed logins per user and IP lock for 30 minutes.
AXES_FAILURE_LIMIT = env_int("SAFEGUARD_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("SAFEGUARD_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "safeguard.accounts.lockout.login_identifier"
# django-axes owns the per-account lockout; allauth keeps only a per-IP brake against spraying.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip"}
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("SAFEGUARD_PROXY_COUNT", 0, minimum=0) or None
AXES_VERBOSE = False

# Workspace sessions expire after 30 minutes idle.
SESSION_IDLE_SECONDS = env_int("SAFEGUARD_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "safeguard" / "static",
    # Only GOV.UK Frontend's fonts and images; its script is copied into dist/ by `npm run build`.
    ("govuk/assets", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"  # outside the web root: files are served by views that check access

# Documents library: private storage (served only by views that check access) and the upload limit.
SAFEGUARD_DOCUMENT_ROOT = Path(env_str("SAFEGUARD_DOCUMENT_ROOT", str(VAR_DIR / "documents")))
# Release e-mails: how long a dead worker's claim on a batch lasts before another worker takes it over.
SUBSCRIPTIONS_LEASE_SECONDS = env_int("SAFEGUARD_SUBSCRIPTIONS_LEASE_SECONDS", 300, minimum=1)
SAFEGUARD_DOCUMENT_MAX_BYTES = env_int("SAFEGUARD_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Statutory extracts (CIN census XML, Annex A workbooks) wait here, privately, until imported.
SAFEGUARD_EXTRACT_ROOT = Path(env_str("SAFEGUARD_EXTRACT_ROOT", str(VAR_DIR / "extracts")))
# The largest authorities' census files are tens of MB; 500 MB leaves room and still refuses a runaway file.
SAFEGUARD_EXTRACT_MAX_BYTES = env_int("SAFEGUARD_EXTRACT_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)
# An Annex A workbook is a zip: refuse one that would unpack to more than this (a "zip bomb").
SAFEGUARD_ANNEXA_MAX_UNPACKED_BYTES = env_int(
    "SAFEGUARD_ANNEXA_MAX_UNPACKED_BYTES", 2 * 1024 * 1024 * 1024, minimum=1024 * 1024
)
# An import that has written no progress for this long (its worker died) is marked failed.
SAFEGUARD_EXTRACT_STALLED_MINUTES = env_int("SAFEGUARD_EXTRACT_STALLED_MINUTES", 15, minimum=1)
# Published and exported figures: counts from 1 to this are shown as "c" (the DfE uses 5; NHS data 7).
SAFEGUARD_SUPPRESSION_THRESHOLD = env_int("SAFEGUARD_SUPPRESSION_THRESHOLD", 5, minimum=1)

# --- Forms ------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WORKER_HEARTBEAT_STALE_SECONDS = env_int("SAFEGUARD_WORKER_STALE_SECONDS", 120, minimum=10)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_PROVIDER = env_choice("SAFEGUARD_EMAIL", ["console", "smtp", "notify"], "console")
DEFAULT_FROM_EMAIL = env_str("SAFEGUARD_FROM_EMAIL", "safeguard@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_PROVIDER == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_PROVIDER == "smtp":
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("SAFEGUARD_SMTP_HOST", required=True)
    EMAIL_PORT = env_int("SAFEGUARD_SMTP_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("SAFEGUARD_SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SAFEGUARD_SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("SAFEGUARD_SMTP_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "safeguard.core.email.NotifyEmailBackend"
    NOTIFY_API_KEY = env_str("SAFEGUARD_NOTIFY_API_KEY", required=True)
    NOTIFY_TEMPLATE_ID = env_str("SAFEGUARD_NOTIFY_TEMPLATE_ID", required=True)

# --- Locale -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

# --- Logging: no personal data, no query strings ----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SAFEGUARD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # otherwise several INFO lines per PDF
        "fontTools": {"level": "WARNING"},
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

API_TOKEN_MAX_DAYS = env_int("SAFEGUARD_API_TOKEN_MAX_DAYS", 365, minimum=1)
