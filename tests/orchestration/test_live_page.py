"""The live-log page in headless Chromium: lines written by a job appear, then the final status."""

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connections

from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger, User
from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed
from tests.harness.asgi_server import AsgiServer

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium() -> str:
    """Skips without Debian's chromium on a laptop; with REQUIRE_SERVICES=1 (CI) that is a failure."""
    if not Path(CHROMIUM).exists():
        reason = "Debian's chromium is not installed (apt-get install -y chromium)"
        if settings.REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


T = TypeVar("T")
PASSWORD = "s3nha-do-navegador!"


def _password_the_server_can_check(user: User, password: str) -> None:
    """The tests hash with MD5 for speed; the server runs the real settings, which do not know MD5."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


def _off_the_browser_thread(function: Callable[[], T]) -> T:
    """Playwright's sync API keeps an event loop on this thread, where Django refuses ORM calls;
    run them on a short-lived thread that closes its connection when done."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as error:  # re-raised on the test thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def server(subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[AsgiServer]:
    with AsgiServer(subprocess_env, tmp_path / "logs") as running:
        yield running


def test_the_live_page_appends_new_lines_and_shows_the_final_status(
    chromium: str, server: AsgiServer, operator_user: User
) -> None:
    from playwright.sync_api import expect, sync_playwright

    _password_the_server_can_check(operator_user, PASSWORD)
    execution: Execution = execution_start(execution=execution_create(kind="TEST_LIVE_PAGE", trigger=Trigger.MANUAL))
    execution_log(execution=execution, message="linha antes de abrir a página")
    live_path = f"/admin/orchestration/execution/{execution.pk}/live/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="pt-BR")  # Chromium asks for English otherwise, and gets it
            page.set_default_timeout(20_000)
            page.goto(server.url(f"/admin/login/?next={live_path}"))
            page.fill("#id_username", operator_user.email)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(server.url(live_path))

            lines = page.locator("#live-lines li .line-message")
            expect(lines).to_have_text(["linha antes de abrir a página"])
            expect(page.locator("#live-connection")).to_have_text("recebendo linhas ao vivo")

            def write_lines() -> None:
                execution_log(execution=execution, message="baixando faturas")
                execution_log(execution=execution, message="<script>alert(1)</script>", level=LogLevel.WARNING)
                execution_log(execution=execution, message="3 faturas salvas")

            _off_the_browser_thread(write_lines)
            expect(lines).to_have_text(
                [
                    "linha antes de abrir a página",
                    "baixando faturas",
                    "<script>alert(1)</script>",
                    "3 faturas salvas",
                ]
            )
            expect(page.locator("#live-lines li.level-warning")).to_have_count(1)

            _off_the_browser_thread(lambda: execution_succeed(execution=execution))
            expect(page.locator("#live-status")).to_have_attribute("data-status", ExecutionStatus.SUCCEEDED)
            expect(page.locator("#live-status .status-badge")).to_have_text("Concluída")
            expect(page.locator("#live-connection")).to_have_text("execução encerrada")
            expect(lines.last).to_have_text("Encerrada: Concluída.")
            page.screenshot(path=str(server.log_path.parent / "live-page.png"), full_page=True)
        finally:
            browser.close()
