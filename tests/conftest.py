"""Shared fixtures: service detection (skip or fail), e2e marking, users per role, subprocess environment."""

import os
import socket
import subprocess
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from orchestration.models import Role, User

if TYPE_CHECKING:
    from tests.harness.s3 import S3Server


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _services_missing() -> list[str]:
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not _redis_reachable():
        missing.append("Redis (REDIS_URL)")
    return missing


# --- e2e: tests that start processes --------------------------------------------------------------------
# A test is marked `e2e` when it, one of its fixtures, or a tests/ helper they call uses something that starts
# processes: a class or function with `starts_processes = True` (CeleryProcesses, AsgiServer, ...) or
# `subprocess.Popen`. A test file moved elsewhere keeps its mark without an edit. Tests that start a browser or
# `make` say so themselves (`pytestmark = pytest.mark.e2e`). `make test-fast` deselects them all.


def _starts_processes(value: object) -> bool:
    return bool(getattr(value, "starts_processes", False)) or value is subprocess.Popen


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _uses_process_starter(function: Any, seen: set[int]) -> bool:
    function = getattr(function, "__wrapped__", function)
    code = getattr(function, "__code__", None)
    if code is None or id(code) in seen:
        return False
    seen.add(id(code))
    scope = getattr(function, "__globals__", {})
    for inner in _codes(code):
        for name in inner.co_names:
            value = scope.get(name)
            if value is subprocess and "Popen" in inner.co_names:
                return True
            if _starts_processes(value):
                return True
            # Helpers of the test suite (not the product, not libraries) are followed.
            helper = isinstance(value, types.FunctionType) and value.__module__.startswith("tests.")
            if helper and _uses_process_starter(value, seen):
                return True
    return False


def _fixture_functions(item: pytest.Item) -> Iterator[Any]:
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            yield definition.func


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") is not None or not isinstance(item, pytest.Function):
            continue
        seen: set[int] = set()
        if any(_uses_process_starter(f, seen) for f in (item.function, *_fixture_functions(item))):
            item.add_marker(pytest.mark.e2e)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("services") is None:
        return
    missing = _services_missing()
    if not missing:
        return
    reason = "needs " + " and ".join(missing)
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """LocaleMiddleware activates the language a request asks for and leaves it active in the thread: a test
    that asked for English must not turn the next tests' messages English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Login failure counters and throttle histories live in the cache, which on Redis outlives a test (and a
# test run: a run less than LOGIN_FAILURE_WINDOW_SECONDS after the previous one would find its counters).
_LOGIN_KEY_PATTERNS = ("*login-failures:*", "*throttle_*")


@pytest.fixture(autouse=True)
def _forget_login_attempts() -> Iterator[None]:
    _login_counters_delete()
    yield


def _login_counters_delete() -> None:
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return  # the database cache is rolled back with each test's transaction
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        keys = {key for pattern in _LOGIN_KEY_PATTERNS for key in client.scan_iter(match=pattern, count=1000)}
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # no Redis reachable: the tests that need it are skipped or failed on their own
    finally:
        client.close()


@pytest.fixture
def make_user(db: None) -> Iterator:
    def make(role: str = Role.OPERATOR, email: str | None = None, password: str = "s3nha-forte!") -> User:
        email = email or f"{role.lower()}-{User.objects.count() + 1}@example.com"
        return User.objects.create_user(email, password, name=role.title(), role=role)

    yield make


@pytest.fixture
def admin_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def operator_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.OPERATOR)


@pytest.fixture
def approver_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.APPROVER)


def database_url_for_subprocess() -> str:
    """The URL of the database this test runs on, for worker, beat and ASGI subprocesses."""
    conf = connection.settings_dict
    if conf["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{conf['NAME']}"
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{conf['NAME']}"


@pytest.fixture
def subprocess_env(transactional_db: None, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for processes that must see the test database (data committed by the test)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": database_url_for_subprocess(),
            "ORQUESTRA_VAR_DIR": str(tmp_path / "var"),
            "PYTHONUNBUFFERED": "1",
            "DEMO_SIMULATORS": "0",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- S3: moto's server, one per session; a fresh bucket per test that asks for one -------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator["S3Server"]:
    from tests.harness.s3 import s3_server as start

    yield from start()


@pytest.fixture
def s3_bucket(s3_server: "S3Server", settings: Any) -> str:
    """A new bucket, made the default storage of this test (`s3_server.keys(bucket)` lists it)."""
    bucket = s3_server.create_bucket()
    for name, value in s3_server.settings(bucket).items():
        setattr(settings, name, value)
    return bucket
