"""Periodic reports (the invoices' daily summary) delivered like alerts: one Notification per person and
channel, sent and retried by `orchestration.deliver_notifications`.

Who receives a report: every active user who hears about alerts beyond their own objects, that is whose
preferences (or role defaults, services.notification_recipients) want failures or pending approvals, with
"only what is mine" off and a channel on. By the role defaults: administrators and approvers, not operators.
A report is sent once per `group` (e.g. one group per day): a second run finds it and sends nothing."""

from django.db import transaction

from orchestration.models import Notification, NotificationCategory, User
from orchestration.services.notification_recipients import Preferences, active_users_with_preferences

REPORT_CATEGORY = NotificationCategory.REPORT


def report_recipients() -> list[tuple[User, Preferences]]:
    return [
        (user, preferences)
        for user, preferences in active_users_with_preferences()
        if preferences.channels
        and not preferences.owned_only
        and (preferences.notify_failures or preferences.notify_approvals)
    ]


def report_already_sent(group: str) -> bool:
    return Notification.objects.filter(category=REPORT_CATEGORY, group=group).exists()


@transaction.atomic
def report_notifications_create(*, group: str, subject: str, body: str) -> int:
    """Queues the report for every recipient's channels; returns how many notifications, 0 if already sent."""
    if report_already_sent(group):
        return 0
    created = 0
    for user, preferences in report_recipients():
        for channel in preferences.channels:
            Notification.objects.create(
                recipient=user, channel=channel, category=REPORT_CATEGORY, group=group, subject=subject[:300], body=body
            )
            created += 1
    return created
