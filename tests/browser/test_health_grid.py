"""The health grid in a real browser: an operator re-runs one failed cell — a calendar integration whose item
of the nightly fan-out failed — the worker syncs it against the Google fake and the cell turns green without a
reload, while the other failed item stays as it was; the page passes axe-core and fits a 360 px phone."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from calendar_sync.models import GoogleCalendarIntegration
from calendar_sync.sync import SYNC_ALL_KIND, SYNC_KIND
from orchestration.models import Company, Execution, ExecutionStatus, Role, User
from orchestration.services.executions import execution_subject_fields
from orchestration.services.fanout import FAN_OUT_PARAMETER
from tests.browser.conftest import PHONE, Live, assert_accessible, horizontal_overflow, screenshot
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.fakes.google_oauth import CLIENT_ID, CLIENT_SECRET
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def google() -> Iterator[tuple[GoogleCalendarFake, FakeServer]]:
    fake = GoogleCalendarFake()
    with FakeServer(fake.handle) as server:
        yield fake, server


@pytest.fixture(scope="module")
def live_extra_env(google: tuple[GoogleCalendarFake, FakeServer]) -> dict[str, str]:
    """The worker talks to the Google fake running in this process."""
    url = google[1].url
    return {
        "GOOGLE_CALENDAR_CLIENT_ID": CLIENT_ID,
        "GOOGLE_CALENDAR_CLIENT_SECRET": CLIENT_SECRET,
        "GOOGLE_OAUTH_AUTH_URL": f"{url}/o/oauth2/auth",
        "GOOGLE_OAUTH_TOKEN_URL": f"{url}/token",
        "GOOGLE_OAUTH_REVOKE_URL": f"{url}/revoke",
        "GOOGLE_CALENDAR_API_URL": f"{url}/",
        "GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE": "0",
        "GOOGLE_CALENDAR_WEBHOOK_URL": "",
    }


def professional(company: Company, email: str, name: str) -> User:
    return User.objects.create_user(email, "s3nha-forte!", name=name, role=Role.OPERATOR, company=company)


def failed_item(parent: Execution, integration: GoogleCalendarIntegration) -> Execution:
    earlier = timezone.now() - timedelta(hours=2)
    child = Execution.objects.create(
        kind=SYNC_KIND,
        status=ExecutionStatus.FAILED,
        parent=parent,
        error="HTTP 503 do Google",
        parameters={
            "integration_id": integration.pk,
            "mode": "recent",
            FAN_OUT_PARAMETER: {"task": "calendar_sync.integration_sync"},
        },
        lock_key=f"calendar:integration:{integration.pk}",
        **execution_subject_fields(integration),
    )
    Execution.objects.filter(pk=child.pk).update(created_at=earlier, started_at=earlier, finished_at=earlier)
    return child


def test_re_running_a_failed_cell_turns_it_green(live: Live, google: tuple[GoogleCalendarFake, FakeServer]) -> None:
    fake = google[0]
    company = Company.objects.create(name="Salão Central")
    operator = professional(company, "olga@central.com", "Olga Operadora")
    paula = professional(company, "paula@central.com", "Paula Prado")
    rui = professional(company, "rui@central.com", "Rui Reis")
    fake.add_user(paula.email)
    access, refresh = fake.oauth.issue_tokens(paula.email)
    healthy = GoogleCalendarIntegration.objects.create(
        user=paula,
        google_email=paula.email,
        access_token=access,
        refresh_token=refresh,
        token_expires_at=timezone.now() + timedelta(hours=1),
    )
    broken = GoogleCalendarIntegration.objects.create(user=rui, google_email=rui.email)
    parent = Execution.objects.create(kind=SYNC_ALL_KIND, status=ExecutionStatus.FAILED, finished_at=timezone.now())
    retried, untouched = failed_item(parent, healthy), failed_item(parent, broken)

    page: Any = live.page(operator)
    page.goto(live.url("/console/health/?source=calendar"))
    cell = page.locator(f"#cell-calendar-{healthy.pk}-CALENDAR-SYNC")
    assert cell.get_attribute("data-state") == "failing"
    assert "1 falha seguida" in cell.inner_text()

    cell.get_by_role("button", name=f"Executar de novo: {paula} — Sincronização de uma agenda do Google").click()
    page.wait_for_selector(f'#cell-calendar-{healthy.pk}-CALENDAR-SYNC[data-state="ok"]', timeout=30_000)

    cell = page.locator(f"#cell-calendar-{healthy.pk}-CALENDAR-SYNC")
    assert "Último sucesso" in cell.inner_text() and "agora" in cell.inner_text()
    retried.refresh_from_db()
    untouched.refresh_from_db()
    assert (retried.status, retried.attempt) == (ExecutionStatus.SUCCEEDED, 2)
    assert (untouched.status, untouched.attempt) == (ExecutionStatus.FAILED, 1)
    assert page.locator(f"#cell-calendar-{broken.pk}-CALENDAR-SYNC").get_attribute("data-state") == "failing"
    screenshot(page, "health-grid")
    assert_accessible(page)

    page.select_option("select[name=state]", "failing")  # htmx swaps the table and keeps the filter in the URL
    page.wait_for_selector(f"#cell-calendar-{healthy.pk}-CALENDAR-SYNC", state="detached")
    assert page.locator(f"#cell-calendar-{broken.pk}-CALENDAR-SYNC").is_visible()
    assert "state=failing" in page.url

    phone: Any = live.page(operator, viewport=PHONE)
    phone.goto(live.url("/console/health/"))
    phone.wait_for_selector(f"#cell-calendar-{healthy.pk}-CALENDAR-SYNC")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "health-grid-phone")
    phone.context.close()
    page.context.close()
