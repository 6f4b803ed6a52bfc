"""The executions list in the console: the API's filters in the URL, errors next to the field, pages, links."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orchestration.models import Execution, ExecutionStatus, Role, Trigger, User

pytestmark = pytest.mark.django_db
URL = "/console/executions/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _execution(kind: str = "MOVIDESK_SYNC", status: str = ExecutionStatus.SUCCEEDED, **fields: object) -> Execution:
    return Execution.objects.create(kind=kind, status=status, **fields)


def _ids(html: str) -> set[int]:
    import re

    return {int(found) for found in re.findall(r'data-execution="(\d+)"', html)}


def test_filters_of_the_api_work_in_the_url_and_show_pt_br_labels(make_user) -> None:  # type: ignore[no-untyped-def]
    operator = make_user(Role.OPERATOR)
    now = timezone.now()
    failed = _execution(
        status=ExecutionStatus.FAILED,
        error="Tempo esgotado falando com o Movidesk",
        error_type="TransientError",
        started_at=now - timedelta(seconds=75),
        finished_at=now,
        trigger=Trigger.MANUAL,
        started_by=operator,
    )
    succeeded = _execution(started_at=now - timedelta(seconds=2), finished_at=now)
    other_kind = _execution(kind="INVOICE_APPROVAL", status=ExecutionStatus.FAILED)
    client = _client(operator)

    response = client.get(URL, {"kind": "MOVIDESK_SYNC", "status": ["FAILED", "TIMED_OUT"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert _ids(html) == {failed.pk}
    assert "Falhou" in html and "Sincronização" in html  # kind and status by their labels
    assert "1 min 15 s" in html and "TransientError" in html and "Tempo esgotado falando" in html
    assert reverse("console:execution", args=[failed.pk]) in html
    assert str(operator) in html and "Manual" in html

    assert _ids(client.get(URL, {"status": "FAILED"}).content.decode()) == {failed.pk, other_kind.pk}
    assert _ids(client.get(URL, {"started_by": operator.pk}).content.decode()) == {failed.pk}
    assert _ids(client.get(URL, {"trigger": "SCHEDULE"}).content.decode()) == {succeeded.pk, other_kind.pk}
    assert _ids(client.get(URL, {"q": "movidesk"}).content.decode()) == {failed.pk, succeeded.pk}
    today = timezone.localdate().isoformat()
    assert _ids(client.get(URL, {"created_on": today}).content.decode()) == {failed.pk, succeeded.pk, other_kind.pk}
    later = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert _ids(client.get(URL, {"created_after": later}).content.decode()) == set()
    ordered = client.get(URL, {"ordering": "created_at"}).content.decode()
    assert ordered.index(f'data-execution="{failed.pk}"') < ordered.index(f'data-execution="{other_kind.pk}"')
    # The filters stay in the form (the URL is the bookmark).
    assert 'value="FAILED" checked' in client.get(URL, {"status": "FAILED"}).content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "NOPE"}, "f-status"),
        ({"started_by": "abc"}, "f-started-by"),
        ({"parent": str(2**70)}, "f-parent"),
        ({"created_after": "ontem"}, "f-created-after"),
        ({"created_after": "2026-01-01T00:00+20:00"}, "f-created-after"),
        ({"created_on": "2026-13-45"}, "f-created-on"),
        ({"ordering": "password"}, "f-ordering"),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_never_a_500(make_user, params, field) -> None:  # type: ignore[no-untyped-def]
    _execution()
    response = _client(make_user(Role.OPERATOR)).get(URL, params)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="{field}-error"' in html and 'id="filter-errors"' in html
    assert "data-execution=" not in html


def test_htmx_gets_only_the_list_and_a_bad_value_still_swaps_in(make_user) -> None:  # type: ignore[no-untyped-def]
    execution = _execution()
    client = _client(make_user(Role.OPERATOR))
    response = client.get(URL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="orq-list"')
    assert f'data-execution="{execution.pk}"' in html and "<html" not in html
    bad = client.get(URL, {"status": "NOPE"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and 'id="f-status-error"' in bad.content.decode()


def test_top_level_by_default_items_on_request_and_under_their_parent(make_user) -> None:  # type: ignore[no-untyped-def]
    parent = _execution(kind="KOMMO_REPLICAS")
    children = [_execution(kind="KOMMO_REPLICA", parent=parent) for _ in range(3)]
    client = _client(make_user(Role.OPERATOR))
    html = client.get(URL).content.decode()
    assert _ids(html) == {parent.pk} and "3 itens" in html and f"?parent={parent.pk}" in html
    assert _ids(client.get(URL, {"items": "1"}).content.decode()) == {parent.pk, *(c.pk for c in children)}
    under = client.get(URL, {"parent": parent.pk}).content.decode()
    assert _ids(under) == {c.pk for c in children}
    assert reverse("console:execution", args=[parent.pk]) in under  # each item links to its parent


def test_the_subject_links_to_its_admin_page(make_user) -> None:  # type: ignore[no-untyped-def]
    operator = make_user(Role.OPERATOR)
    about_user = _execution(
        kind="USER_THING", subject_type=ContentType.objects.get_for_model(User), subject_id=str(operator.pk)
    )
    _execution(kind="GONE_THING", subject_type=ContentType.objects.get_for_model(User), subject_id="not-a-number")
    admin = make_user(Role.ADMINISTRATOR)
    html = _client(admin).get(URL, {"subject_type": "orchestration.user"}).content.decode()
    assert reverse("admin:orchestration_user_change", args=[operator.pk]) in html
    assert f'data-execution="{about_user.pk}"' in html and "#not-a-number" in html
    # An operator may not open users in the admin: the name, without the link.
    html = _client(operator).get(URL, {"subject_id": str(operator.pk)}).content.decode()
    assert str(operator) in html and reverse("admin:orchestration_user_change", args=[operator.pk]) not in html


def test_pages_of_fifty_keep_the_filters(make_user) -> None:  # type: ignore[no-untyped-def]
    Execution.objects.bulk_create([Execution(kind="MOVIDESK_SYNC", status="FAILED") for _ in range(55)])
    client = _client(make_user(Role.OPERATOR))
    first = client.get(URL, {"status": "FAILED"}).content.decode()
    assert len(_ids(first)) == 50 and "55 resultados" in first and "Página 1 de 2" in first
    assert "?status=FAILED&amp;page=2" in first
    second = client.get(URL, {"status": "FAILED", "page": "2"}).content.decode()
    assert len(_ids(second)) == 5 and not _ids(first) & _ids(second)
    assert len(_ids(client.get(URL, {"page": "999"}).content.decode())) == 5  # out of range: the last page
    assert client.get(URL, {"page": "x"}).status_code == 200


def test_only_people_who_may_view_executions(make_user) -> None:  # type: ignore[no-untyped-def]
    assert Client().get(URL).status_code == 302  # to the login
    nobody = User.objects.create_user("sem-perfil@example.com", "s3nha-forte!", name="Sem perfil", role="")
    assert _client(nobody).get(URL).status_code == 403


def test_more_filters_open_by_themselves_when_one_is_set_or_wrong(make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_user(Role.OPERATOR))
    assert '<details class="orq-more-filters">' in client.get(URL).content.decode()
    assert '<details class="orq-more-filters" open>' in client.get(URL, {"parent": "x"}).content.decode()
    assert (
        '<details class="orq-more-filters" open>' in client.get(URL, {"created_before": "2026-01-01"}).content.decode()
    )


def test_the_list_only_reads(make_user) -> None:  # type: ignore[no-untyped-def]
    assert _client(make_user(Role.OPERATOR)).post(URL, {"status": "FAILED"}).status_code == 405
