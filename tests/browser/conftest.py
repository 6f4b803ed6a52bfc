"""Browser tests of the console: one ASGI server, one Celery worker and one headless Chromium per module.

The server and the worker see the test database (data a test creates must be committed: every test here uses
`transactional_db` through the `live` fixture). Screenshots go to var/test-artifacts/ (kept by CI as artefacts).
"""

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.backends.db import SessionStore

from orchestration.models import User
from tests.conftest import database_url_for_subprocess
from tests.harness.asgi_server import AsgiServer
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, this_process_broker

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_DIR / "var" / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
PASSWORD = "s3nha-do-navegador!"
PHONE = {"width": 360, "height": 740}


@dataclass
class Live:
    server: AsgiServer
    broker_url: str
    browser: Any  # playwright.sync_api.Browser

    def url(self, path: str) -> str:
        return self.server.url(path)

    def page(self, user: User | None = None, *, viewport: dict[str, int] | None = None) -> Any:
        """A new browser context (own cookies), signed in as `user` when given, in pt-BR."""
        context = self.browser.new_context(locale="pt-BR", viewport=viewport or {"width": 1366, "height": 900})
        if user is not None:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session_for(user), "url": self.url("/")}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page


def session_for(user: User) -> str:
    """A signed-in session for `user`, as the login form would leave it (the login form has its own test)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def password_the_server_can_check(user: User, password: str = PASSWORD) -> None:
    """The tests hash with MD5 for speed; the server runs the real settings, which do not know MD5."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (vendored from npm, tests/browser/vendor) on the page as it is now: serious and critical only."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Any) -> None:
    violations = serious_accessibility_violations(page)
    assert not violations, json.dumps(violations, indent=2, ensure_ascii=False)


def horizontal_overflow(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 when nothing is wider than the viewport)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.fixture(scope="module")
def chromium() -> str:
    """Skips without Debian's chromium on a laptop; with REQUIRE_SERVICES=1 (CI) that is a failure."""
    if not Path(CHROMIUM).exists():
        reason = "Debian's chromium is not installed (apt-get install -y chromium)"
        if settings.REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def live_extra_env() -> dict[str, str]:
    """Settings a test module adds to the server's and the worker's environment (e.g. the URL of a fake it
    starts): override this fixture in the module. The subprocesses read their settings only from there."""
    return {}


@pytest.fixture(scope="module")
def live_stack(
    django_db_setup: None, chromium: str, tmp_path_factory: pytest.TempPathFactory, live_extra_env: dict[str, str]
) -> Iterator[Live]:
    from playwright.sync_api import sync_playwright

    var_dir = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url_for_subprocess(),
        "ORQUESTRA_VAR_DIR": str(var_dir / "var"),
        "PYTHONUNBUFFERED": "1",
        "DEMO_SIMULATORS": "0",
        "DEBUG": "1",
        **live_extra_env,
    }
    env = redis_broker_env(env)
    redis_broker_purge(env["CELERY_BROKER_URL"])
    # Playwright's sync API keeps an event loop on this thread; Django refuses ORM calls next to a running loop
    # unless told the calls are not made from async code (they are not: the tests are synchronous).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with CeleryProcesses(env, var_dir / "logs") as celery, AsgiServer(env, var_dir / "logs") as server:
            celery.worker(name="browser", concurrency=2)
            with sync_playwright() as playwright, this_process_broker(env["CELERY_BROKER_URL"]):
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    yield Live(server=server, broker_url=env["CELERY_BROKER_URL"], browser=browser)
                finally:
                    browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live(live_stack: Live, transactional_db: None) -> Live:
    return live_stack
