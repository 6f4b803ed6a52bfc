"""The alerts list in the console: filters in the URL, open first, resolving for those allowed (POST, CSRF)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from orchestration.models import Alert, AlertStatus, Execution, Role, Severity, User
from orchestration.services.alerts import alert_raise, alert_resolve

pytestmark = pytest.mark.django_db
URL = "/console/alerts/"


def _client(user: User, **kwargs: bool) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-alert="(\d+)"', html)]


def _alerts() -> dict[str, Alert]:
    execution = Execution.objects.create(kind="MOVIDESK_SYNC", status="FAILED")
    made = {
        "movidesk": alert_raise(
            fingerprint="movidesk:sync-failed",
            group="movidesk:sync",
            severity=Severity.CRITICAL,
            title="Sincronização do Movidesk falhou",
            details="HTTP 503 do Movidesk",
            execution=execution,
        ),
        "kommo": alert_raise(
            fingerprint="kommo:auth:acme", group="kommo:auth", title="Kommo acme precisa de nova autorização"
        ),
        "old": alert_raise(fingerprint="whatsapp:down:1", group="whatsapp", severity=Severity.INFO, title="Sessão 1"),
    }
    alert_resolve(fingerprint="whatsapp:down:1")
    return {name: Alert.objects.get(pk=alert.pk) for name, alert in made.items() if alert is not None}


def test_filters_search_and_open_alerts_first(make_user) -> None:  # type: ignore[no-untyped-def]
    alerts = _alerts()
    client = _client(make_user(Role.OPERATOR))
    html = client.get(URL).content.decode()
    assert _ids(html)[-1] == alerts["old"].pk  # resolved after the open ones
    assert "Crítico" in html and "Resolvido" in html and "automaticamente" in html
    assert reverse("console:execution", args=[alerts["movidesk"].execution_id]) in html
    assert set(_ids(client.get(URL, {"status": "OPEN"}).content.decode())) == {
        alerts["movidesk"].pk,
        alerts["kommo"].pk,
    }
    assert _ids(client.get(URL, {"severity": ["CRITICAL", "INFO"], "status": "OPEN"}).content.decode()) == [
        alerts["movidesk"].pk
    ]
    assert _ids(client.get(URL, {"group": "kommo:auth"}).content.decode()) == [alerts["kommo"].pk]
    assert _ids(client.get(URL, {"q": "503"}).content.decode()) == [alerts["movidesk"].pk]
    assert _ids(client.get(URL, {"kind": "PENDING_APPROVAL"}).content.decode()) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "CLOSED"}, "f-status"), ({"severity": "x"}, "f-severity"), ({"seen_after": "amanhã"}, "f-seen-after")],
)
def test_a_bad_filter_is_shown_next_to_its_field(make_user, params, field) -> None:  # type: ignore[no-untyped-def]
    _alerts()
    response = _client(make_user(Role.OPERATOR)).get(URL, params)
    assert response.status_code == 400 and f'id="{field}-error"' in response.content.decode()


def test_resolving_one_and_several_back_to_the_same_filtered_page(make_user) -> None:  # type: ignore[no-untyped-def]
    alerts = _alerts()
    operator = make_user(Role.OPERATOR)
    client = _client(operator, enforce_csrf_checks=True)
    page = client.get(URL, {"status": "OPEN"})
    html = page.content.decode()
    assert "Resolver selecionados" in html and f'name="only" value="{alerts["movidesk"].pk}"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]  # type: ignore[index]

    assert client.post(URL, {"only": alerts["movidesk"].pk}).status_code == 403  # no CSRF token: refused
    response = client.post(
        URL, {"csrfmiddlewaretoken": token, "only": str(alerts["movidesk"].pk), "query": "status=OPEN"}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?status=OPEN"
    movidesk = Alert.objects.get(pk=alerts["movidesk"].pk)
    assert movidesk.status == AlertStatus.RESOLVED and movidesk.resolved_by == operator

    both = [str(alerts["movidesk"].pk), str(alerts["kommo"].pk)]
    response = client.post(URL, {"csrfmiddlewaretoken": token, "alert": both}, follow=True)
    html = response.content.decode()
    assert "1 alerta resolvido." in html and "1 alerta já estava resolvido." in html
    assert not Alert.objects.filter(status=AlertStatus.OPEN).exists()


def test_people_without_the_resolve_permission_see_no_button_and_a_forged_post_is_refused(make_user) -> None:  # type: ignore[no-untyped-def]
    alerts = _alerts()
    viewer = User.objects.create_user("leitor@example.com", "s3nha-forte!", name="Leitor", role="")
    viewer.user_permissions.add(Permission.objects.get(codename="view_alert"))
    client = _client(viewer)
    html = client.get(URL).content.decode()
    assert _ids(html) and "Resolver" not in html and 'name="alert"' not in html
    assert client.post(URL, {"only": alerts["kommo"].pk}).status_code == 403
    assert Alert.objects.get(pk=alerts["kommo"].pk).status == AlertStatus.OPEN
    nobody = User.objects.create_user("ninguem@example.com", "s3nha-forte!", name="Ninguém", role="")
    assert _client(nobody).get(URL).status_code == 403
