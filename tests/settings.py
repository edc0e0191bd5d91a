"""Test settings: the real settings with a fixed key and plain static storage."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from comunagua.settings import *  # noqa: F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STATIC_ROOT = None  # served from the apps through whitenoise's finders, no collectstatic
WHITENOISE_USE_FINDERS = True
# Uploaded files (logos, incident photos) of a test run go to a throwaway folder, never var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="comunagua-test-media-"))
