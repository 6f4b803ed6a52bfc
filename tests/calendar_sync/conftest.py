"""Fixtures for calendar_sync: the Google fake on a real HTTP server (API and OAuth endpoints), settings
pointing the product at it, two companies with their people, and a connection made through the real flow."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httplib2
import pytest
from django.utils import timezone

from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.oauth import oauth_complete, oauth_start
from calendar_sync.services import appointment_create
from orchestration.models import Company, Role, User
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.fakes.google_oauth import CLIENT_ID, CLIENT_SECRET
from tests.fakes.server import FakeServer


@pytest.fixture
def google() -> GoogleCalendarFake:
    return GoogleCalendarFake()


@pytest.fixture
def google_server(google: GoogleCalendarFake, settings) -> Iterator[FakeServer]:  # type: ignore[no-untyped-def]
    with FakeServer(google.handle) as server:
        settings.GOOGLE_CALENDAR_CLIENT_ID = CLIENT_ID
        settings.GOOGLE_CALENDAR_CLIENT_SECRET = CLIENT_SECRET
        settings.GOOGLE_CALENDAR_REDIRECT_URI = "http://testserver/api/v1/google-calendar/oauth-callback"
        settings.GOOGLE_OAUTH_AUTH_URL = f"{server.url}/o/oauth2/auth"
        settings.GOOGLE_OAUTH_TOKEN_URL = f"{server.url}/token"
        settings.GOOGLE_OAUTH_REVOKE_URL = f"{server.url}/revoke"
        settings.GOOGLE_CALENDAR_API_URL = f"{server.url}/"
        settings.GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE = 0
        settings.GOOGLE_CALENDAR_WEBHOOK_URL = ""
        settings.DEMO_SIMULATORS = False
        yield server


@pytest.fixture
def company_a(db: None) -> Company:
    return Company.objects.create(name="Salão A")


@pytest.fixture
def company_b(db: None) -> Company:
    return Company.objects.create(name="Clínica B")


def person(company: Company, email: str, role: str = Role.OPERATOR) -> User:
    return User.objects.create_user(email, "s3nha-forte!", name=email.split("@")[0].title(), role=role, company=company)


@pytest.fixture
def pro_a(company_a: Company) -> User:
    return person(company_a, "maria@salao-a.com")


@pytest.fixture
def pro_b(company_b: Company) -> User:
    return person(company_b, "joao@clinica-b.com")


def consent_code(auth_url: str) -> tuple[str, str]:
    """What a browser does at Google's consent page: follow it and read code and state from the redirect."""
    http = httplib2.Http()
    http.follow_redirects = False
    response, _content = http.request(auth_url, "GET")
    assert response.status == 302, response
    query = dict(parse_qsl(urlsplit(response["location"]).query))
    return query["code"], query["state"]


@pytest.fixture
def connect(google: GoogleCalendarFake, google_server: FakeServer) -> Callable[[User], GoogleCalendarIntegration]:
    def _connect(user: User) -> GoogleCalendarIntegration:
        google.add_user(user.email)
        google.oauth.default_email = user.email
        started = oauth_start(user=user)
        code, state = consent_code(started["auth_url"])
        return oauth_complete(code=code, state=state, user=user)

    return _connect


@pytest.fixture
def make_appointments(db: None) -> Callable[..., list[Appointment]]:
    def make(professional: User, count: int, *, start: datetime | None = None, **fields: object) -> list[Appointment]:
        first = start or timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
        return [
            appointment_create(
                professional=professional,
                client_name=f"Cliente {number}",
                client_phone="(11) 99999-0000",
                client_email=f"cliente{number}@example.com",
                service="Corte de cabelo",
                start=first + timedelta(hours=number),
                duration_minutes=30,
                notes="Trazer documento",
                **fields,
            )
            for number in range(count)
        ]

    return make
