"""Users on the API, the token login, and the permission table (RequiredPermissions) every view follows."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from orchestration.models import Role, User

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "s3nha-forte!"


class ApproveSomething(APIView):
    """Stands in for an APPROVER action (invoice approval is not built yet): the same permission class
    and the same `required_perms` declaration a real approval view will use. The test grants the
    permission to the APPROVER group the way a `roles.py` would."""

    required_perms = {"post": ["orchestration.approve_something"]}

    def post(self, request: Request) -> Response:
        return Response({"approved": True})


class Undeclared(APIView):
    """A view that forgot to declare what it needs: refused to everyone rather than open to everyone."""

    def get(self, request: Request) -> Response:
        return Response({"open": True})


# Used by the tests marked @pytest.mark.urls(__name__): the real API plus the stand-in views.
urlpatterns = [
    path("api/v1/", include("orchestration.api.urls")),
    path("test/approve/", ApproveSomething.as_view()),
    path("test/undeclared/", Undeclared.as_view()),
]


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Role permissions -----------------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.OPERATOR, False), (Role.APPROVER, True), (Role.ADMINISTRATOR, True)]
)
def test_only_approvers_and_administrators_pass_an_approver_action(make_user, role: str, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    content_type = ContentType.objects.get_for_model(User)
    permission = Permission.objects.create(codename="approve_something", name="approve", content_type=content_type)
    Group.objects.get(name=Role.APPROVER).permissions.add(permission)
    response = _client(make_user(role)).post("/test/approve/")
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("role", list(Role.values))
def test_a_view_that_declares_no_permission_is_refused_to_every_role(make_user, role: str) -> None:  # type: ignore[no-untyped-def]
    assert _client(make_user(role)).get("/test/undeclared/").status_code == 403


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.APPROVER])
def test_operators_and_approvers_get_403_on_user_management(make_user, role: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role)
    client = _client(user)
    new_user = {"email": "novo@example.com", "name": "Novo", "role": Role.ADMINISTRATOR, "password": PASSWORD}

    responses = [
        client.get(USERS),
        client.get(f"{USERS}{user.pk}/"),
        client.post(USERS, new_user, format="json"),
        client.patch(f"{USERS}{user.pk}/", {"role": Role.ADMINISTRATOR}, format="json"),
        client.delete(f"{USERS}{user.pk}/"),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert all(response.json()["error"]["code"] == "permission_denied" for response in responses)
    user.refresh_from_db()
    assert user.role == role
    assert not User.objects.filter(email="novo@example.com").exists()


def test_every_role_reads_its_own_profile(operator_user: User) -> None:
    response = _client(operator_user).get(f"{USERS}me/")
    assert response.status_code == 200
    assert response.json()["email"] == operator_user.email


# --- User management ------------------------------------------------------------------------------


def test_an_administrator_creates_a_user_who_gets_the_group_of_the_role_and_can_log_in(admin_user: User) -> None:
    response = _client(admin_user).post(
        USERS,
        {
            "email": "Maria@Example.com",
            "name": "Maria",
            "phone": "+55 11 99999-0000",
            "role": "APPROVER",
            "password": "outra-senha-boa!",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert body["email"] == "maria@example.com" and body["role_display"] == "Aprovador"
    maria = User.objects.get(email="maria@example.com")
    assert list(maria.groups.values_list("name", flat=True)) == [Role.APPROVER]
    assert maria.has_perm("orchestration.cancel_execution")
    login = APIClient().post(TOKEN, {"email": "maria@example.com", "password": "outra-senha-boa!"}, format="json")
    assert login.status_code == 200


def test_creating_a_user_needs_a_strong_password_and_a_new_email(admin_user: User) -> None:
    client = _client(admin_user)
    missing = client.post(USERS, {"email": "a@example.com", "name": "A", "role": "OPERATOR"}, format="json")
    weak = client.post(
        USERS, {"email": "a@example.com", "name": "A", "role": "OPERATOR", "password": "123"}, format="json"
    )
    taken = client.post(
        USERS, {"email": admin_user.email.upper(), "name": "B", "role": "OPERATOR", "password": PASSWORD}, format="json"
    )

    for response, field in ((missing, "password"), (weak, "password"), (taken, "email")):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid" and field in error["details"]


def test_changing_the_role_moves_the_user_to_the_new_group(admin_user: User, operator_user: User) -> None:
    response = _client(admin_user).patch(f"{USERS}{operator_user.pk}/", {"role": "APPROVER"}, format="json")

    assert response.status_code == 200
    operator_user.refresh_from_db()
    assert list(operator_user.groups.values_list("name", flat=True)) == [Role.APPROVER]


def test_a_password_change_through_the_api_is_hashed(admin_user: User, operator_user: User) -> None:
    _client(admin_user).patch(f"{USERS}{operator_user.pk}/", {"password": "nova-senha-123!"}, format="json")
    operator_user.refresh_from_db()
    assert operator_user.check_password("nova-senha-123!")
    assert "nova-senha-123!" not in operator_user.password


def test_an_administrator_cannot_delete_themselves(admin_user: User, operator_user: User) -> None:
    client = _client(admin_user)
    assert client.delete(f"{USERS}{admin_user.pk}/").status_code == 409
    assert client.delete(f"{USERS}{operator_user.pk}/").status_code == 204
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_users_are_filtered_by_role_and_searched_by_name(admin_user: User, operator_user: User) -> None:
    client = _client(admin_user)
    by_role = client.get(USERS, {"role": "OPERATOR"}).json()["results"]
    assert [row["id"] for row in by_role] == [operator_user.pk]
    found = client.get(USERS, {"search": operator_user.email[:6]}).json()["results"]
    assert operator_user.pk in [row["id"] for row in found]


# --- Token login ----------------------------------------------------------------------------------


def test_the_token_login_returns_a_token_that_authenticates_api_calls(operator_user: User) -> None:
    response = APIClient().post(TOKEN, {"email": operator_user.email.upper(), "password": PASSWORD}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["user"]["role"] == Role.OPERATOR
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/executions/").status_code == 200
    operator_user.refresh_from_db()
    assert operator_user.last_login is not None


def test_a_wrong_password_is_a_400_and_repeated_failures_block_even_the_right_one(operator_user: User) -> None:
    client = APIClient()
    wrong = {"email": operator_user.email, "password": "errada"}
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post(TOKEN, wrong, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"

    blocked = client.post(TOKEN, {"email": operator_user.email, "password": PASSWORD}, format="json")

    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "login_blocked"


def test_the_token_endpoint_is_rate_limited(operator_user: User) -> None:
    client = APIClient()
    good = {"email": operator_user.email, "password": PASSWORD}
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    statuses = [client.post(TOKEN, good, format="json").status_code for _ in range(limit + 1)]

    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429


def test_the_admin_login_says_it_is_blocked_and_others_behind_the_same_ip_still_log_in(
    operator_user: User, approver_user: User
) -> None:
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": operator_user.email, "password": "errada"})

    blocked = client.post("/admin/login/", {"username": operator_user.email, "password": PASSWORD})
    assert "Muitas tentativas" in blocked.content.decode()
    assert "_auth_user_id" not in client.session

    colleague = client.post("/admin/login/", {"username": approver_user.email, "password": PASSWORD})
    assert colleague.status_code == 302
    assert client.session["_auth_user_id"] == str(approver_user.pk)


def test_the_last_active_administrator_cannot_be_demoted_deactivated_or_deleted(admin_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(admin_user)
    assert client.patch(f"{USERS}{admin_user.pk}/", {"role": "OPERATOR"}, format="json").status_code == 400
    assert client.patch(f"{USERS}{admin_user.pk}/", {"is_active": False}, format="json").status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMINISTRATOR and admin_user.is_active

    second = make_user(Role.ADMINISTRATOR)
    assert client.patch(f"{USERS}{second.pk}/", {"role": "OPERATOR"}, format="json").status_code == 200
    third = make_user(Role.ADMINISTRATOR)
    assert _client(third).delete(f"{USERS}{admin_user.pk}/").status_code == 204
    assert _client(third).patch(f"{USERS}{third.pk}/", {"is_active": False}, format="json").status_code == 400


def test_the_admin_form_refuses_to_demote_the_last_administrator(admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/orchestration/user/{admin_user.pk}/change/",
        {"email": admin_user.email, "name": admin_user.name, "role": "OPERATOR", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "único administrador ativo" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMINISTRATOR


def test_an_administrator_cannot_demote_or_deactivate_their_own_account(admin_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    colleague = make_user(Role.ADMINISTRATOR)
    client = _client(admin_user)

    demoted = client.patch(f"{USERS}{admin_user.pk}/", {"role": "OPERATOR"}, format="json")
    deactivated = client.patch(f"{USERS}{admin_user.pk}/", {"is_active": False}, format="json")
    admin_form = Client()
    admin_form.force_login(admin_user)
    form = admin_form.post(
        f"/admin/orchestration/user/{admin_user.pk}/change/",
        {"email": admin_user.email, "name": admin_user.name, "role": "OPERATOR", "is_active": "on"},
    )

    assert demoted.status_code == 400 and "role" in demoted.json()["error"]["details"]
    assert deactivated.status_code == 400
    assert form.status_code == 200 and "própria conta" in form.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMINISTRATOR and admin_user.is_active
    # Another administrator may do it.
    assert _client(colleague).patch(f"{USERS}{admin_user.pk}/", {"role": "OPERATOR"}, format="json").status_code == 200
