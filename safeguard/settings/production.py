"""Production settings: everything in base plus the transport security a deployment needs.

Select with DJANGO_SETTINGS_MODULE=safeguard.settings.production. DJANGO_SECRET_KEY is required;
demo mode and DEBUG are refused.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, DEMO_MODE, SECRET_KEY
from .env import env_bool, env_int

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")
if DEMO_MODE:
    raise ImproperlyConfigured("SAFEGUARD_DEMO_MODE must be false in production: demo mode skips MFA.")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production.")

SECURE_SSL_REDIRECT = env_bool("SAFEGUARD_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SAFEGUARD_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
