"""Users in the admin go through the same service as the API: the last active administrator stays."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from orchestration.models import Role, User

pytestmark = pytest.mark.django_db

USERS = "/admin/orchestration/user/"


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_last_administrator_cannot_delete_themselves_from_the_delete_page(admin_user: User) -> None:
    client = _browser(admin_user)

    page = client.get(f"{USERS}{admin_user.pk}/delete/", follow=True)
    posted = client.post(f"{USERS}{admin_user.pk}/delete/", {"post": "yes"}, follow=True)

    assert "próprio usuário" in page.content.decode()
    assert "próprio usuário" in posted.content.decode()
    assert User.objects.filter(pk=admin_user.pk, role=Role.ADMINISTRATOR, is_active=True).exists()


def test_deleting_every_administrator_at_once_is_refused_and_deletes_nobody(admin_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    second = make_user(Role.ADMINISTRATOR)
    operator = make_user(Role.OPERATOR)
    selected = [str(admin_user.pk), str(second.pk), str(operator.pk)]

    response = _browser(admin_user).post(
        USERS, {"action": "delete_selected", ACTION_CHECKBOX_NAME: selected, "post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert User.objects.filter(pk__in=selected).count() == 3


def test_an_administrator_deletes_another_while_one_remains(admin_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    second = make_user(Role.ADMINISTRATOR)
    inactive = make_user(Role.ADMINISTRATOR)
    inactive.is_active = False
    inactive.save()
    client = _browser(second)

    assert client.post(f"{USERS}{admin_user.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=admin_user.pk).exists()
    # `second` is now the last active administrator; an inactive administrator account does not count.
    refused = client.post(f"{USERS}{second.pk}/delete/", {"post": "yes"}, follow=True)
    assert "próprio usuário" in refused.content.decode()
    assert User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).count() == 1


def test_bulk_deleting_operators_still_works(admin_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    operators = [make_user(Role.OPERATOR), make_user(Role.OPERATOR)]
    selected = [str(user.pk) for user in operators]

    response = _browser(admin_user).post(
        USERS, {"action": "delete_selected", ACTION_CHECKBOX_NAME: selected, "post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert not User.objects.filter(pk__in=selected).exists()


def test_the_last_administrator_is_kept_even_when_the_check_is_bypassed(admin_user: User) -> None:
    """The service refuses by itself, whatever page or form called it (here, straight from the admin class)."""
    from django.contrib import admin
    from django.test import RequestFactory

    from orchestration.services.users import UserDeleteRefused

    request = RequestFactory().post("/")
    request.user = User.objects.create_user("outro@example.com", "x", name="Outro", role=Role.OPERATOR)
    model_admin = admin.site._registry[User]
    with pytest.raises(UserDeleteRefused):
        model_admin.delete_queryset(request, User.objects.filter(pk=admin_user.pk))
    assert User.objects.filter(pk=admin_user.pk).exists()
