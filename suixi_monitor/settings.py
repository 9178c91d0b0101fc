"""Settings, read from the environment: the same code runs embedded or at scale.

With nothing set, the project runs embedded: SQLite and a filesystem Celery
broker under ``var/``. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` move it to
PostgreSQL and Redis without any code change.
"""

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret_key() -> str:
    # Generated once per checkout so sessions survive restarts; never committed. The file is
    # created readable by its owner only (0600) from the first byte, never widened then narrowed;
    # O_EXCL makes a second process starting at the same moment read the first one's key.
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_urlsafe(50))
    for _ in range(50):  # another process may have created it and not yet written the key
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.1)
    raise RuntimeError(f"{path} is empty: delete it, or set SECRET_KEY")


SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "organization",
    "households",
    "identification",
    "assistance",
    "early_warnings",
    # Self-declaration (一码申报): beside identification, it opens cases; nothing below imports it.
    "declarations",
    # The top app: ledgers and the year-end assessment read every app above; nothing imports it.
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Bad input (a NUL character, a body or field count over the limits) answers 400 here,
    # in Chinese, before any view; after the user and messages so that its page renders.
    "suixi_monitor.middleware.RequestInputMiddleware",
    # A one-time password is replaced before any other page opens.
    "organization.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Sign-in lockout and the idle end of a session (see "Signing in" below).
    "organization.middleware.SessionIdleMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it renders a page, which needs the session, user, messages and CSRF token.
    "suixi_monitor.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "suixi_monitor.urls"
WSGI_APPLICATION = "suixi_monitor.wsgi.application"

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
                "organization.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Per-request connections cost 2.5-3x throughput on PostgreSQL here.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker write the same file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTH_USER_MODEL = "organization.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "organization.backends.LockoutBackend",
    "organization.backends.ScopedUserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# --- HTTPS and the browser's own protections --------------------------------------------------
# Behind a proxy that terminates HTTPS (README, "Running at scale"). All off by default, so
# `make run` on plain http://127.0.0.1 keeps working.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# "HTTP_X_FORWARDED_PROTO,https": trust the proxy's header saying the request came over HTTPS.
# Only behind a proxy that sets (and overwrites) that header, never on a server clients reach.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): every script and style comes from this server's files,
# none inline; pages have no inline <script>, <style> or style= (guarded by a test). The API's
# ReDoc page alone lets its bundled renderer inject its styles (api_docs_csp in urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Hashed tokens that expire (REST_KNOX below); POST /api/auth/logout/ ends one.
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "suixi_monitor.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "suixi_monitor.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "濉溪县防止返贫动态监测系统 API",
    "DESCRIPTION": "依据《濉溪县防止返贫致贫动态监测和帮扶工作实施方案（试行）》（濉扶组〔2021〕6号）。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name a choice field state / source / status / kind; without these the
    # schema gets hashed names (State92bEnum…) that change whenever a choice list does.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "identification.models.case.CaseState",
        "IdentificationProcedureEnum": "organization.models.IdentificationProcedure",
        "WarningStateEnum": "early_warnings.models.State",
        "CaseSourceEnum": "identification.models.case.CaseSource",
        "ClueSourceEnum": "early_warnings.models.Clue.Source",
        "UploadStatusEnum": "early_warnings.models.Upload.Status",
        "CaseObjectionStatusEnum": "identification.models.steps.Objection.Status",
        "MonitoringSubjectStatusEnum": "households.models.MonitoringSubject.Status",
        "ComparisonKindEnum": "identification.models.comparison.ComparisonKind",
        "TownKindEnum": "organization.models.Town.Kind",
        "HelpAssignmentKindEnum": "assistance.models.HelpAssignment.Kind",
        "TownRoundStateEnum": "identification.models.exits.TownRoundState",
        "SpotCheckStateEnum": "identification.models.exits.SpotCheck.State",
        "ExitStateEnum": "identification.models.exits.ExitState",
        "LowIncomeKindEnum": "households.models.LowIncomeStatus.Kind",
        "LowIncomeSourceEnum": "households.models.LowIncomeStatus.Source",
        "LowIncomeGroupEnum": "reports.selectors.low_income.Group",
        "DeclarationStateEnum": "declarations.models.State",
        "DeclineReasonEnum": "declarations.models.DeclineReason",
        # A second choice field named reason (DeclineReason) keeps the visits' enum its name.
        "ReasonEnum": "households.models.Visit.Reason",
    },
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange tables; without this kombu writes them to ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # The households per village the dashboards read, counted again (a check; 0 when right).
    "households-recount-villages": {
        "task": "households.recount_villages",
        "schedule": crontab(hour=0, minute=5),
    },
    # 三(四)2: one daily tick does reminders, the due-day close, the push and overdue marking.
    "early-warnings-monthly-tick": {
        "task": "early_warnings.monthly_tick",
        "schedule": crontab(hour=0, minute=30),
    },
    # 三(七)5/6: conclude publicities that ran their full days; catches up after downtime.
    "identification-conclude-publicities": {
        "task": "identification.conclude_publicities",
        "schedule": crontab(hour=0, minute=10),
    },
    # Anhui 一码申报 time limits: warn who takes each case's next step when it turns orange
    # or red, once each; after the publicities are concluded, so the next step is current.
    "identification-notify-case-clocks": {
        "task": "identification.notify_case_clocks",
        "schedule": crontab(hour=0, minute=25),
    },
    # 三(十): half-year exit rounds open on their day and move on; catches up after downtime.
    "identification-exit-rounds-tick": {
        "task": "identification.exit_rounds_tick",
        "schedule": crontab(hour=0, minute=15),
    },
    # 三(七)4: comparison files a lost worker left behind are read again (within their attempts).
    "identification-requeue-stalled-dataset-uploads": {
        "task": "identification.requeue_stalled_dataset_uploads",
        "schedule": crontab(minute=20),
    },
    # 三(十): ledger exports a lost worker left behind are written again (within their attempts).
    "reports-requeue-stalled-exports": {
        "task": "reports.requeue_stalled_exports",
        "schedule": crontab(minute=40),
    },
}

# Every spreadsheet a user uploads (三(四)2 department warnings, 三(七)4 comparison data sets)
# is read by one reader (suixi_monitor/spreadsheets) under these limits.
MB = 1024 * 1024
SPREADSHEET_MAX_BYTES = int(os.environ.get("SPREADSHEET_MAX_BYTES", 50 * MB))
# How far a zipped xlsx/ods may expand: more is a zip bomb.
SPREADSHEET_MAX_UNPACKED_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_UNPACKED_BYTES", 10 * SPREADSHEET_MAX_BYTES)
)
# 三(十) ledgers: an export of at most this many rows is written while the user waits; a
# larger one is a background job with a download link.
LEDGER_EXPORT_SYNC_ROWS = int(os.environ.get("LEDGER_EXPORT_SYNC_ROWS", 5000))
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", 500_000))
# Rows × columns of one sheet: a county register of 500,000 rows of 20 columns fits.
SPREADSHEET_MAX_CELLS = int(os.environ.get("SPREADSHEET_MAX_CELLS", 10_000_000))
# The native reader's child process: its address space, and how long it may take.
SPREADSHEET_READER_MEMORY_BYTES = int(
    os.environ.get("SPREADSHEET_READER_MEMORY_BYTES", 4 * 1024 * MB)
)
SPREADSHEET_READER_SECONDS = int(os.environ.get("SPREADSHEET_READER_SECONDS", 300))
# Anhui 2024: the scan or photo of a household's signed consent (承诺授权书), image or PDF.
CONSENT_FORM_MAX_BYTES = int(os.environ.get("CONSENT_FORM_MAX_BYTES", 10 * MB))
# Uploaded files read by a worker (suixi_monitor/jobs.py): how many attempts a file gets. One
# that kills the worker process this often is refused instead of being redelivered for ever.
UPLOAD_MAX_ATTEMPTS = int(os.environ.get("UPLOAD_MAX_ATTEMPTS", "3"))

# Self-declaration (一码申报): the public page and API are throttled per address and per phone
# number ("N/second|minute|hour|day"), counted in Django's cache; a request over the limit is
# refused with a Chinese message (429 in the API). The public body is small: name, numbers,
# a few words.
DECLARATION_THROTTLE_RATES = {
    "declaration_ip": os.environ.get("DECLARATION_RATE_IP", "20/hour"),
    "declaration_phone": os.environ.get("DECLARATION_RATE_PHONE", "5/day"),
    "declaration_status_ip": os.environ.get("DECLARATION_STATUS_RATE_IP", "60/hour"),
    "declaration_status_phone": os.environ.get("DECLARATION_STATUS_RATE_PHONE", "20/hour"),
}
DECLARATION_MAX_BODY_BYTES = int(os.environ.get("DECLARATION_MAX_BODY_BYTES", "8192"))
# The counts live in the cache: each process its own by default; CACHE_URL=redis://… shares
# them between the web workers (behind gunicorn with several workers, set it).
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID numbers in a logged URL or message are masked (suixi_monitor/logs.py); client errors
    # (django.security.*) are warnings without a traceback (suixi_monitor/log_filters.py).
    "filters": {
        "mask_id_numbers": {"()": "suixi_monitor.logs.MaskIdNumbersFilter"},
        "client_errors": {"()": "suixi_monitor.log_filters.ClientErrorFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_id_numbers", "client_errors"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Signing in: lockout, API tokens, sessions ---------------------------------------------
# A username from one address is locked after AXES_FAILURE_LIMIT wrong passwords within
# AXES_COOLOFF_TIME, on the sign-in page, /admin/login/ and /api/auth/token/ alike; the lock
# ends by itself when that time has passed since the last failure.
AXES_ENABLED = env_bool("LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "organization.lockout.lockout_response"
# Behind nginx, REMOTE_ADDR is the proxy: set LOGIN_CLIENT_IP_HEADER=HTTP_X_REAL_IP (or
# HTTP_X_FORWARDED_FOR) to the header the proxy sets, and never a header clients can send.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    *env_list("LOGIN_CLIENT_IP_HEADER", ""),
    "REMOTE_ADDR",
)
# API tokens are stored hashed and end API_TOKEN_HOURS after they were issued.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(os.environ.get("API_TOKEN_HOURS", "10"))),
    "AUTH_HEADER_PREFIX": "Token",
}
# Village computers are shared: a session ends when the browser closes, and after
# SESSION_IDLE_MINUTES without a request (organization.middleware.SessionIdleMiddleware
# renews it at most every SESSION_RENEW_SECONDS, so a busy session is not written per request).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
SESSION_RENEW_SECONDS = min(300, SESSION_COOKIE_AGE // 10)
