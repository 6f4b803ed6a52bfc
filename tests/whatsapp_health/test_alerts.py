"""Alerts of sessions out of service: only after WHATSAPP_DISCONNECTED_ALERT_MINUTES, one per session and
owner in one group (a provider outage of 80 sessions is one message per person), resolved by the return;
a session asking for a QR code tells its owner to pair the phone again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orchestration.models import Alert, AlertKind, AlertStatus, Company, Notification, NotificationCategory, Role
from orchestration.services.notifications import notifications_build
from whatsapp_health.models import SessionStatus
from whatsapp_health.runs import sessions_check_run
from whatsapp_health.session_alerts import GROUP

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_a_provider_outage_of_80_sessions_is_one_message_per_owner_and_one_when_it_is_over(
    make_session, make_user, evolution, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_DISCONNECTED_ALERT_MINUTES = 15
    company = Company.objects.create(name="Rede de Lojas")
    owners = [make_user(Role.OPERATOR), make_user(Role.OPERATOR)]
    for owner in owners:
        owner.company = company
        owner.save()
    bystander = make_user(Role.OPERATOR)  # of no company and owning nothing: hears nothing
    for number in range(80):
        make_session(f"loja-{number:02d}", state="close", status=SessionStatus.CONNECTED, company=company)
    start = timezone.now()

    sessions_check_run()
    assert not Alert.objects.exists()  # down, but not for long enough yet

    with time_machine.travel(start + timedelta(minutes=16)):
        sessions_check_run()
        alerts = Alert.objects.filter(status=AlertStatus.OPEN)
        assert alerts.count() == 160 and set(alerts.values_list("group", flat=True)) == {GROUP}
        assert set(alerts.values_list("owner", flat=True)) == {owner.pk for owner in owners}
    with time_machine.travel(start + timedelta(minutes=30)):
        notifications_build()
    openings = Notification.objects.filter(category=NotificationCategory.FAILURE)
    assert sorted(openings.values_list("recipient", flat=True)) == sorted(owner.pk for owner in owners)
    assert all(notification.alerts.count() == 80 for notification in openings)
    assert openings.first().subject.endswith("WhatsApp: 80 sessões fora do ar")
    assert not Notification.objects.filter(recipient=bystander).exists()

    for number in range(80):
        evolution.set_state(f"loja-{number:02d}", "open")
    with time_machine.travel(start + timedelta(minutes=35)):
        sessions_check_run()
    assert not Alert.objects.filter(status=AlertStatus.OPEN).exists()
    with time_machine.travel(start + timedelta(minutes=50)):
        notifications_build()
    recoveries = Notification.objects.filter(category=NotificationCategory.RECOVERY)
    assert sorted(recoveries.values_list("recipient", flat=True)) == sorted(owner.pk for owner in owners)


def test_a_session_asking_for_a_qr_code_tells_its_owner_to_pair_the_phone_again(
    make_session, make_user, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_DISCONNECTED_ALERT_MINUTES = 0
    owner = make_user(Role.OPERATOR)
    session = make_session("atendimento", provider="WAHA", state="SCAN_QR_CODE", owner=owner)

    sessions_check_run()

    [alert] = Alert.objects.all()
    assert (alert.owner, alert.kind, alert.subject) == (owner, AlertKind.REAUTHORIZATION, session)
    assert "pareie o telefone" in alert.title


def test_going_from_disconnected_to_qr_required_keeps_the_timer_and_swaps_the_alert(
    make_session, make_user, evolution, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_DISCONNECTED_ALERT_MINUTES = 10
    owner = make_user(Role.OPERATOR)
    make_session("loja", state="close", owner=owner)
    start = timezone.now()
    sessions_check_run()

    with time_machine.travel(start + timedelta(minutes=11)):
        evolution.set_state("loja", "refused")
        sessions_check_run()

    [alert] = Alert.objects.filter(status=AlertStatus.OPEN)
    assert alert.kind == AlertKind.REAUTHORIZATION
    assert Alert.objects.filter(status=AlertStatus.RESOLVED).count() == 0  # the failure one never opened
