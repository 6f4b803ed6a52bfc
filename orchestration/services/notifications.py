"""From alerts to messages: grouping into one Notification per person, channel and group, then delivery
with retries. The periodic task `orchestration.deliver_notifications` calls `notifications_process`.

Grouping window (ALERT_GROUP_WINDOW_SECONDS): a group's pending openings go out together once its oldest
pending one is that old, so a burst (37 Kommo accounts failing over two minutes) is one message per person.
Recoveries follow the same rule from the resolution time, and reach only those told about the opening.
An alert resolved before its opening went out is never announced, so it needs no recovery either.

Delivery claims each due notification by a conditional UPDATE (PENDING → SENDING), so two workers never
send the same one; a failure goes back to PENDING with a backoff (30 s · 2^n) and ends FAILED, with the
reason, after NOTIFICATION_MAX_ATTEMPTS. A SENDING row whose worker died is claimed again after 10 minutes.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orchestration.clients.webhook import WebhookClient
from orchestration.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Channel,
    Notification,
    NotificationCategory,
    NotificationStatus,
    User,
)
from orchestration.services.notification_recipients import (
    Preferences,
    active_users_with_preferences,
    preferences_of,
    receives,
)
from orchestration.services.transitions import StatusMachine, transition

logger = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=10)
DELIVERY_BUDGET_SECONDS = 35.0  # below the task's 50 s soft time limit
MAX_LISTED = 200  # alerts listed in one message; the rest are counted

NOTIFICATION_MACHINE = StatusMachine(
    Notification,
    {
        NotificationStatus.SENT: {NotificationStatus.SENDING},
        NotificationStatus.FAILED: {NotificationStatus.SENDING},
        NotificationStatus.PENDING: {NotificationStatus.SENDING, NotificationStatus.FAILED, NotificationStatus.SENT},
        NotificationStatus.READ: {NotificationStatus.SENT, NotificationStatus.FAILED},
    },
)


@dataclass
class DeliveryTotals:
    created: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.created or self.sent or self.failed or self.retrying)


# --- texts -------------------------------------------------------------------------------------------------


def alert_group_subject(group_title: str, count: int) -> str:
    """The raiser's subject for several alerts of its group, or "" (none given, or not a valid template)."""
    if not group_title:
        return ""
    try:
        return group_title % {"count": count}
    except (KeyError, TypeError, ValueError):
        return group_title


def _opening_texts(group: str, alerts: list[Alert]) -> tuple[str, str]:
    if len(alerts) == 1:
        subject = alerts[0].title
    else:
        subject = alert_group_subject(alerts[0].group_title, len(alerts)) or ngettext(
            "%(group)s: %(count)d alerta", "%(group)s: %(count)d alertas", len(alerts)
        ) % {"group": group, "count": len(alerts)}
    lines = []
    for alert in alerts[:MAX_LISTED]:
        lines.append(f"- [{alert.get_severity_display()}] {alert.title}")
        if alert.details:
            lines.append(f"  {alert.details[:500]}")
    if len(alerts) > MAX_LISTED:
        lines.append(_("… e mais %(count)d.") % {"count": len(alerts) - MAX_LISTED})
    return subject[:300], "\n".join(lines)


def _recovery_texts(group: str, alerts: list[Alert]) -> tuple[str, str]:
    if len(alerts) == 1:
        subject = _("Resolvido: %(title)s") % {"title": alerts[0].title}
    else:
        subject = ngettext(
            "%(group)s: %(count)d alerta resolvido", "%(group)s: %(count)d alertas resolvidos", len(alerts)
        ) % {"group": group, "count": len(alerts)}
    lines = [f"- {alert.title}" for alert in alerts[:MAX_LISTED]]
    if len(alerts) > MAX_LISTED:
        lines.append(_("… e mais %(count)d.") % {"count": len(alerts) - MAX_LISTED})
    return subject[:300], "\n".join(lines)


def _create(
    *, user: User, preferences: Preferences, category: str, group: str, alerts: list[Alert], texts: tuple[str, str]
) -> int:
    created = 0
    for channel in preferences.channels:
        notification = Notification.objects.create(
            recipient=user, channel=channel, category=category, group=group, subject=texts[0], body=texts[1]
        )
        notification.alerts.set(alerts)
        created += 1
    return created


# --- grouping ----------------------------------------------------------------------------------------------


def _due_groups(pending: QuerySet[Alert], since_field: str, cutoff: datetime) -> list[str]:
    oldest = pending.values("group").annotate(oldest=Min(since_field))
    return [row["group"] for row in oldest if row["oldest"] <= cutoff]


def _openings_build(now: datetime, cutoff: datetime, people: list[tuple[User, Preferences]]) -> int:
    pending = Alert.objects.filter(status=AlertStatus.OPEN, notified_at__isnull=True)
    created = 0
    for group in _due_groups(pending, "first_seen_at", cutoff):
        with transaction.atomic():
            alerts = list(
                pending.filter(group=group).select_for_update(skip_locked=True).order_by("first_seen_at", "pk")
            )
            if not alerts:
                continue
            for user, preferences in people:
                theirs = [alert for alert in alerts if receives(user, preferences, alert)]
                if theirs:
                    category = theirs[0].kind
                    texts = _opening_texts(group, theirs)
                    created += _create(
                        user=user, preferences=preferences, category=category, group=group, alerts=theirs, texts=texts
                    )
            Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(notified_at=now)
    return created


def _recoveries_build(now: datetime, cutoff: datetime, people: list[tuple[User, Preferences]]) -> int:
    pending = Alert.objects.filter(
        status=AlertStatus.RESOLVED, notified_at__isnull=False, recovery_notified_at__isnull=True
    )
    wanted = {user.pk: (user, preferences) for user, preferences in people if preferences.notify_recoveries}
    created = 0
    for group in _due_groups(pending, "resolved_at", cutoff):
        with transaction.atomic():
            alerts = list(pending.filter(group=group).select_for_update(skip_locked=True).order_by("resolved_at", "pk"))
            if not alerts:
                continue
            by_id = {alert.pk: alert for alert in alerts}
            told: dict[int, set[int]] = defaultdict(set)
            openings = Notification.alerts.through.objects.filter(alert_id__in=by_id).exclude(
                notification__category__in=[NotificationCategory.RECOVERY, NotificationCategory.TEST]
            )
            for recipient_id, alert_id in openings.values_list("notification__recipient_id", "alert_id"):
                told[recipient_id].add(alert_id)
            for recipient_id, alert_ids in told.items():
                if recipient_id not in wanted:
                    continue
                user, preferences = wanted[recipient_id]
                # A pending approval that ends was approved (or dropped): news to nobody, unlike a recovery.
                theirs = [a for a in alerts if a.pk in alert_ids and a.kind != AlertKind.PENDING_APPROVAL]
                if not theirs:
                    continue
                created += _create(
                    user=user,
                    preferences=preferences,
                    category=NotificationCategory.RECOVERY,
                    group=group,
                    alerts=theirs,
                    texts=_recovery_texts(group, theirs),
                )
            Alert.objects.filter(pk__in=list(by_id)).update(recovery_notified_at=now)
    return created


def notifications_build(*, now: datetime | None = None) -> int:
    """Turns the alerts whose group window has passed into notifications; returns how many were created."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ALERT_GROUP_WINDOW_SECONDS)
    opening_due = Alert.objects.filter(status=AlertStatus.OPEN, notified_at__isnull=True, first_seen_at__lte=cutoff)
    recovery_due = Alert.objects.filter(
        status=AlertStatus.RESOLVED,
        notified_at__isnull=False,
        recovery_notified_at__isnull=True,
        resolved_at__lte=cutoff,
    )
    if not opening_due.exists() and not recovery_due.exists():
        return 0  # the common case every 30 s: two cheap queries
    people = active_users_with_preferences()
    with translation.override(settings.LANGUAGE_CODE):
        return _openings_build(now, cutoff, people) + _recoveries_build(now, cutoff, people)


# --- delivery ----------------------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(status=NotificationStatus.PENDING) & due | Q(
        status=NotificationStatus.SENDING, claimed_at__lt=now - STUCK_AFTER
    )


def _send(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        message = EmailMessage(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{notification.subject}",
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
        )
        message.send()
        return
    url = preferences_of(notification.recipient).webhook_url
    if not url:
        raise ValueError(_("O destinatário não tem mais URL de webhook."))
    with WebhookClient(url=url) as client:
        client.post_text(f"*{notification.subject}*\n{notification.body}")


def notification_deliver(notification: Notification, *, now: datetime | None = None) -> str:
    """Sends one claimed (SENDING) notification and records the outcome; returns the new status."""
    now = now or timezone.now()
    try:
        _send(notification)
    except SoftTimeLimitExceeded:
        raise  # the task is out of time: the row stays SENDING and is claimed again once stuck
    except Exception as error:
        reason = str(error)[:1000] or type(error).__name__
        logger.warning("notification %s attempt %s failed: %s", notification.pk, notification.attempts, reason)
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            NOTIFICATION_MACHINE.apply(notification, to=NotificationStatus.FAILED, last_error=reason)
        else:
            wait = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (notification.attempts - 1)
            NOTIFICATION_MACHINE.apply(
                notification,
                to=NotificationStatus.PENDING,
                last_error=reason,
                next_attempt_at=now + timedelta(seconds=wait),
            )
        return notification.status
    NOTIFICATION_MACHINE.apply(notification, to=NotificationStatus.SENT, sent_at=now, next_attempt_at=None)
    return notification.status


def notifications_deliver(
    *, now: datetime | None = None, limit: int = 200, budget_seconds: float = DELIVERY_BUDGET_SECONDS
) -> DeliveryTotals:
    """Claims and sends the due notifications, oldest first; claims no more once `budget_seconds` are spent
    (slow receivers), leaving the rest to the next run."""
    now = now or timezone.now()
    deadline = time.monotonic() + budget_seconds
    totals = DeliveryTotals()
    claimable = Notification.objects.filter(_claimable(now))
    for pk in list(claimable.order_by("created_at", "pk").values_list("pk", flat=True)[:limit]):
        if time.monotonic() > deadline:
            break
        claimed = transition(
            claimable,
            pk,
            from_statuses=[NotificationStatus.PENDING, NotificationStatus.SENDING],
            to=NotificationStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if not claimed:
            continue  # another worker took it
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        outcome = notification_deliver(notification, now=now)
        if outcome == NotificationStatus.SENT:
            totals.sent += 1
        elif outcome == NotificationStatus.FAILED:
            totals.failed += 1
        else:
            totals.retrying += 1
    return totals


def notifications_process(*, now: datetime | None = None) -> DeliveryTotals:
    """What the periodic task does: group what is due, then send what is due."""
    now = now or timezone.now()
    created = notifications_build(now=now)
    totals = notifications_deliver(now=now)
    totals.created = created
    return totals


# --- manual actions --------------------------------------------------------------------------------------


def notifications_resend(notifications: Iterable[Notification]) -> int:
    """Queues notifications again (admin "resend"), with a fresh attempt count; returns how many."""
    queued = 0
    for notification in notifications:
        queued += NOTIFICATION_MACHINE.apply(
            notification, to=NotificationStatus.PENDING, attempts=0, next_attempt_at=None, last_error=""
        )
    return queued


def notification_mark_read(notification: Notification, *, now: datetime | None = None) -> None:
    """SENT or FAILED → READ (IllegalTransition, a 409, while it is still being delivered); READ stays READ."""
    if notification.status == NotificationStatus.READ:
        return
    NOTIFICATION_MACHINE.apply_or_raise(notification, to=NotificationStatus.READ, read_at=now or timezone.now())


def notification_send_test(*, user: User) -> list[Notification]:
    """One test message on each of `user`'s channels, sent now; the results are on the returned rows."""
    preferences = preferences_of(user)
    sent = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Notificação de teste do Orquestra")
        body = _("Se você recebeu esta mensagem, o canal está funcionando.")
    for channel in preferences.channels:
        notification = Notification.objects.create(
            recipient=user,
            channel=channel,
            category=NotificationCategory.TEST,
            subject=subject,
            body=body,
            status=NotificationStatus.SENDING,
            attempts=1,
            claimed_at=timezone.now(),
        )
        notification_deliver(notification)
        sent.append(notification)
    return sent
