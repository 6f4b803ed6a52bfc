"""Settings for pytest: same as local, faster hashing, quiet logs."""

from .local import *  # noqa: F403
from .local import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so worker and ASGI subprocesses started by tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"].replace(".sqlite3", "_test.sqlite3")}
