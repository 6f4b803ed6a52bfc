"""The login lockout counts per account, whatever spelling reaches it, and the throttle cannot be escaped
by sending a new X-Forwarded-For."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from orchestration.models import Role, User

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD = "s3nha-forte!"


@pytest.mark.services  # PostgreSQL's case-insensitive match is what folds `ſ` and `ı`
def test_a_look_alike_spelling_is_blocked_with_the_account_it_reaches(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.OPERATOR, email="operador.demo@orquestra.local")
    client = APIClient()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        wrong = client.post(TOKEN, {"email": user.email, "password": "errada"}, format="json")
        assert wrong.status_code == 400

    look_alike = client.post(
        TOKEN, {"email": "operador.demo@orque\u017ftra.local", "password": PASSWORD}, format="json"
    )

    assert look_alike.status_code == 429, look_alike.json()
    assert look_alike.json()["error"]["code"] == "login_blocked"


@pytest.mark.services
def test_the_admin_login_blocks_a_dotless_i_spelling_of_a_blocked_administrator(make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMINISTRATOR, email="admin.demo@orquestra.local")
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": admin.email, "password": "errada"})

    response = client.post("/admin/login/", {"username": "adm\u0131n.demo@orquestra.local", "password": PASSWORD})

    assert "Muitas tentativas" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_typed_in_other_spellings_count_against_the_same_account(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.OPERATOR, email="carla@example.com")
    client = APIClient()
    for spelling in [
        "CARLA@example.com",
        "Carla@Example.com",
        "carla@EXAMPLE.com",
        "carla@example.COM",
        "cArla@example.com",
    ]:
        assert client.post(TOKEN, {"email": spelling, "password": "errada"}, format="json").status_code == 400

    blocked = client.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")

    assert blocked.status_code == 429


@pytest.mark.parametrize(
    "look_alike",
    [
        "operador@orque\u017ftra.local",  # long s: PostgreSQL's case folding already matched it
        "OPERADOR@ORQUESTRA.LOCAL",
        "operador@orquestr\u00e1.local",  # an accent in the domain: a valid address no database folds
        "operador@\uff4frquestra.local",  # a full-width letter in the domain
    ],
)
def test_a_new_user_with_a_look_alike_of_an_existing_address_is_refused(make_user, look_alike: str) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.OPERATOR, email="operador@orquestra.local")
    admin = make_user(Role.ADMINISTRATOR)
    client = APIClient()
    client.force_authenticate(admin)

    response = client.post(
        "/api/v1/users/",
        {"email": look_alike, "name": "Outra", "role": "OPERATOR", "password": "outra-senha-boa!"},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert "email" in response.json()["error"]["details"]
    assert User.objects.count() == 2


def test_a_new_x_forwarded_for_does_not_escape_the_token_throttle(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.OPERATOR)
    client = APIClient()
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])

    statuses = [
        client.post(
            TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(limit + 1)
    ]

    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_client(make_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.LOGIN_FAILURE_IP_LIMIT = 3
    user = make_user(Role.OPERATOR)
    client = APIClient()
    for n in range(3):
        # Different unknown accounts, so that only the per-IP counter of the forwarded address fills up.
        client.post(TOKEN, {"email": f"ninguem{n}@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9")

    same_client = client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    other_client = client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert same_client.status_code == 429
    assert same_client.json()["error"]["code"] == "login_blocked"
    assert other_client.status_code == 200
