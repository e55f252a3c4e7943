"""Tsunagari settings: everything an operator changes comes from the environment.

Defaults are safe for production (DEBUG off, SECRET_KEY required); `make run` and the
tests set what development needs. README.md lists every variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for development).")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- the site ------------------------------------------------------------------------------
SITE_NAME = env.str("SITE_NAME", default="Tsunagari")
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# Which name a member appears under: "real_name", "nickname" or "either" (member's choice).
IDENTITY_POLICY = env.str("IDENTITY_POLICY", default="real_name")
if IDENTITY_POLICY not in {"real_name", "nickname", "either"}:
    raise ImproperlyConfigured("IDENTITY_POLICY must be real_name, nickname or either.")
# Whether content marked "public" may be shown to visitors who are not logged in.
SITE_PUBLIC_PAGES = env.bool("SITE_PUBLIC_PAGES", default=False)
INVITE_QUOTA = env.int("INVITE_QUOTA", default=5)
INVITE_EXPIRY_DAYS = env.int("INVITE_EXPIRY_DAYS", default=14)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=15 * 1024 * 1024)

# --- apps ----------------------------------------------------------------------------------
INSTALLED_APPS = [
    # Django's admin, behind a second factor for staff (sns/admin_site.py).
    "sns.admin_site.ModeratorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "sns.admin_site.TasksConfig",  # django_tasks_db, named in our languages
    "sns",
    "accounts",
    "invites",
    "diary",
    "communities",
    "offkai",
    "conversations",
    "albums",
]

MIDDLEWARE = [
    # Outermost, so that every response has the policy: WhiteNoise's static files and the
    # redirects and errors of the middleware below included.
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.MemberLanguageMiddleware",
    # A NUL character, which PostgreSQL cannot store, is refused here with a 400 page.
    "sns.middleware.NulRefusalMiddleware",
    # Members waiting for approval, or who have not accepted the current rules, go no further.
    "sns.middleware.SitePolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "sns.urls"
WSGI_APPLICATION = "sns.wsgi.application"

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
                "django.template.context_processors.i18n",
                "sns.context_processors.site",
                "accounts.context_processors.friend_requests",
                # After friend_requests: reads its count together with the notifications'.
                "sns.context_processors.header_counts",
            ],
        },
    },
]

# --- data ----------------------------------------------------------------------------------
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from sns.embedded_pg import embedded_database_url

    DATABASES = {"default": env.db_url_config(embedded_database_url(BASE_DIR))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The pages' queries are short index walks; PostgreSQL's JIT, switched on by large cost
# estimates, spent 1.2 s compiling a 20 ms feed query (bench/run_diary.py).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Parameters sent apart from the SQL (server-side binding), so that psycopg prepares a query
# the connection has run DATABASE_PREPARE_AFTER times and PostgreSQL plans it once: a page's
# time in the database falls by a third to a half (home 11 → 7.5 ms, profile 7.5 → 3.6 ms;
# make bench-profile). Needs connections kept (CONN_MAX_AGE) to pay off. 0 turns it off, for
# a pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
PREPARE_AFTER = env.int("DATABASE_PREPARE_AFTER", default=2)
if PREPARE_AFTER:
    DATABASES["default"]["OPTIONS"].update(
        server_side_binding=True, prepare_threshold=PREPARE_AFTER
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A real, shared cache: login rate limits must hold across processes and machines.
if "CACHE_URL" in env:
    CACHES = {"default": env.cache_url("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tsunagari_cache",
        }
    }
# Parts of pages (the header's counts, the circle picture, home's lists; sns/cache/) are
# kept only in a real shared cache, invalidated on write: in the database cache a read would
# cost the query it saves, so without CACHE_URL they are computed every time.
if "CACHE_URL" in env:
    CACHES["parts"] = {**env.cache_url("CACHE_URL"), "KEY_PREFIX": "parts"}
else:
    CACHES["parts"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# Rendered rows of lists ({% cache %} in the templates), each keyed by everything it shows,
# so that no write has to drop one: kept in each process, the least used go first.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 10},
}
# With Redis, sessions are read from it and written through to PostgreSQL (``cached_db``): a
# page reads no session row, and a flushed Redis logs nobody out.
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends."
    + ("cached_db" if "CACHE_URL" in env else "db"),
)

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- email ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- media and static ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
# Uploads are never served from MEDIA_URL: each image has a view that checks who may see it
# (accounts:photo, diary:photo, communities:image), so the URL is only Django's default.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# "filesystem" keeps media under MEDIA_ROOT; "s3" stores it in an S3-compatible bucket.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bytes of a file past IMAGE_MAX_BYTES are dropped as they arrive (sns.images.UploadSizeCap).
FILE_UPLOAD_HANDLERS = [
    "sns.images.UploadSizeCap",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, each reading the logged-in member through the parts cache
# (accounts/backends.py): a page reads no member row while the member is unchanged.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.MemberBackend",
    "accounts.backends.AllauthMemberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Addresses members add later keep to the site policy's email domains, as invitations do.
ACCOUNT_FORMS = {
    "add_email": "accounts.forms.AddEmailForm",
    "change_email": "accounts.forms.ChangeEmailForm",
    # The new password's rules as text (valid HTML in allauth's paragraphs).
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"


def _login_failures(name: str, default: str) -> str:
    """A limit on failed logins from the environment: a number of failures per period
    (allauth's notation: "5/5m" is five per five minutes; s, m, h, d)."""
    value = env.str(name, default=default)
    amount, _, period = value.partition("/")
    if not (amount.isascii() and amount.isdigit() and int(amount) > 0 and period
            and period[-1] in "smhd" and (period[:-1] == "" or period[:-1].isdigit())):
        raise ImproperlyConfigured(f'{name} must be failures per period, like "5/5m" '
                                   f"(s, m, h or d), not {value!r}.")
    return value


# Failed logins (accounts.adapter): per address, whatever the account; per account and client
# (the address, or a browser the member logged in on before:
# accounts.selectors.known_devices); and per
# account from all the clients it never logged in on, so that a stranger who knows a member's
# address cannot lock them out of their own browser. A browser stays known KNOWN_DEVICE_DAYS
# after the member's last login on it.
LOGIN_FAILURES_PER_ADDRESS = _login_failures("LOGIN_FAILURES_PER_ADDRESS", "10/m")
LOGIN_FAILURES_PER_CLIENT = _login_failures("LOGIN_FAILURES_PER_CLIENT", "5/5m")
LOGIN_FAILURES_PER_ACCOUNT = _login_failures("LOGIN_FAILURES_PER_ACCOUNT", "50/h")
KNOWN_DEVICE_DAYS = env.int("KNOWN_DEVICE_DAYS", default=365)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": f"{LOGIN_FAILURES_PER_ADDRESS}/ip,{LOGIN_FAILURES_PER_CLIENT}/key",
    "login_failed_account": f"{LOGIN_FAILURES_PER_ACCOUNT}/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
# Behind a proxy every request comes from the proxy's address, so one visitor's failed logins
# would use up the per-IP limits for everyone: allauth takes the client's address from the
# last entry of X-Forwarded-For, the one the proxy (nginx: $proxy_add_x_forwarded_for) added.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_PROXY", default=False) else 0
)
# A second factor: an authenticator app (TOTP) with recovery codes as its spare. Optional for
# members; staff need it to open the admin. No "trust this browser": each admin session
# gives a code. One 30-second step of clock drift either way is accepted.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_TOTP_TOLERANCE = 1
MFA_TRUST_ENABLED = False

# --- language and time ---------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- security ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)
USE_X_FORWARDED_HOST = env.bool("BEHIND_PROXY", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
# Django's defaults, spelled out (tests/sns/test_sessions.py): scripts cannot read the session
# cookie, and neither cookie goes with requests that other sites start, but for links followed.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The Content Security Policy (django-csp), on every response: scripts and styles only from
# the site's own static files, never inline, so that member text that ever got past the
# escaping and nh3 still could not run. Images also from data: URIs (the authenticator app's
# QR code); uploads come through the site's own views, from S3 too. CSP_EXTRA_IMG_SRC adds
# origins the operator needs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env.list("CSP_EXTRA_IMG_SRC", default=[])],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

ADMINS = [("Operator", a) for a in env.list("ADMIN_EMAILS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "database_away": {"()": "sns.outage.DatabaseAwayFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "outage_mail_every": {"()": "sns.outage.OutageMailEvery", "seconds": 600},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Django's own error mail to ADMIN_EMAILS, but one per outage and process every ten
        # minutes rather than one per request the database being away failed.
        "mail_admins": {
            "level": "ERROR", "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "outage_mail_every"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # In place of Django's default handlers for it (a console of its own and an
        # unthrottled mail_admins): the root's console prints its records.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # While the database is away each failed request is one line, not a traceback.
        "django.request": {"filters": ["database_away"]},
    },
}

# Abuse limits per member, counted in the database (sns/limits.py); 0 turns one off.
COMMUNITY_CREATE_PER_DAY = env.int("COMMUNITY_CREATE_PER_DAY", default=3)
TOPIC_CREATE_PER_HOUR = env.int("TOPIC_CREATE_PER_HOUR", default=10)
OFFKAI_CREATE_PER_DAY = env.int("OFFKAI_CREATE_PER_DAY", default=10)
REPORTS_PER_DAY = env.int("REPORTS_PER_DAY", default=20)
INVITATIONS_PER_DAY = env.int("INVITATIONS_PER_DAY", default=20)
FRIEND_REQUESTS_PER_DAY = env.int("FRIEND_REQUESTS_PER_DAY", default=30)
COMMENTS_PER_HOUR = env.int("COMMENTS_PER_HOUR", default=60)
UPLOADS_PER_DAY = env.int("UPLOADS_PER_DAY", default=50)
CONVERSATIONS_PER_DAY = env.int("CONVERSATIONS_PER_DAY", default=20)
MESSAGES_PER_HOUR = env.int("MESSAGES_PER_HOUR", default=60)
LIKES_PER_HOUR = env.int("LIKES_PER_HOUR", default=300)
ALBUM_PHOTOS_PER_DAY = env.int("ALBUM_PHOTOS_PER_DAY", default=200)

# Notifications wait this many seconds before the batched email takes them, so that a burst
# (five comments in a minute) goes out as one message (sns.notifications.mail).
NOTIFICATION_EMAIL_DELAY = env.int("NOTIFICATION_EMAIL_DELAY", default=300)
