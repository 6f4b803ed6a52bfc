"""Who hears about an alert: each person's preferences, or their role's defaults when they saved none.

    receives = the kind is one they want AND (they own the alert's object OR
               (not "only what is mine" AND severity >= their minimum))

Role defaults: every administrator gets CRITICAL failures and re-authorizations; approvers get pending
approvals; operators get what concerns the objects they own. Everyone gets the recoveries of what they
were told about (a pending approval that ends is no recovery: nobody hears of it)."""

from dataclasses import dataclass

from orchestration.models import Alert, AlertKind, NotificationPreference, Role, Severity, User


@dataclass(frozen=True)
class Preferences:
    email_enabled: bool
    webhook_url: str
    min_severity: str
    owned_only: bool
    notify_failures: bool
    notify_approvals: bool
    notify_reauthorization: bool
    notify_recoveries: bool

    def wants_kind(self, kind: str) -> bool:
        return {
            AlertKind.FAILURE: self.notify_failures,
            AlertKind.PENDING_APPROVAL: self.notify_approvals,
            AlertKind.REAUTHORIZATION: self.notify_reauthorization,
        }.get(AlertKind(kind), False)

    @property
    def channels(self) -> list[str]:
        found = ["EMAIL"] if self.email_enabled else []
        return [*found, "WEBHOOK"] if self.webhook_url else found


ROLE_DEFAULTS: dict[str, dict[str, object]] = {
    Role.ADMINISTRATOR: {
        "min_severity": Severity.CRITICAL,
        "owned_only": False,
        "notify_failures": True,
        "notify_approvals": False,
        "notify_reauthorization": True,
    },
    Role.APPROVER: {
        "min_severity": Severity.INFO,
        "owned_only": False,
        "notify_failures": False,
        "notify_approvals": True,
        "notify_reauthorization": False,
    },
    Role.OPERATOR: {
        "min_severity": Severity.WARNING,
        "owned_only": True,
        "notify_failures": True,
        "notify_approvals": True,
        "notify_reauthorization": True,
    },
}


def preference_defaults(role: str) -> dict[str, object]:
    """Field values of a NotificationPreference for someone of `role` who saved none."""
    return {"email_enabled": True, "webhook_url": "", "notify_recoveries": True, **ROLE_DEFAULTS[role]}


def preferences_of(user: User) -> Preferences:
    return preferences_from(user, NotificationPreference.objects.filter(user=user).first())


def preferences_from(user: User, stored: NotificationPreference | None) -> Preferences:
    if stored is None:
        values = preference_defaults(user.role)
        return Preferences(**values)  # type: ignore[arg-type]
    return Preferences(
        email_enabled=stored.email_enabled,
        webhook_url=stored.webhook_url or "",
        min_severity=stored.min_severity,
        owned_only=stored.owned_only,
        notify_failures=stored.notify_failures,
        notify_approvals=stored.notify_approvals,
        notify_reauthorization=stored.notify_reauthorization,
        notify_recoveries=stored.notify_recoveries,
    )


def receives(user: User, preferences: Preferences, alert: Alert) -> bool:
    if not preferences.wants_kind(alert.kind) or not preferences.channels:
        return False
    if alert.owner_id is not None and alert.owner_id == user.pk:
        return True
    return not preferences.owned_only and Severity.rank(alert.severity) >= Severity.rank(preferences.min_severity)


def active_users_with_preferences() -> list[tuple[User, Preferences]]:
    """Every active user and what they want, in two queries."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    stored = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    return [(user, preferences_from(user, stored.get(user.pk))) for user in users]


PREFERENCE_FIELDS = (
    "email_enabled",
    "webhook_url",
    "min_severity",
    "owned_only",
    "notify_failures",
    "notify_approvals",
    "notify_reauthorization",
    "notify_recoveries",
)


def notification_preference_for(user: User) -> NotificationPreference:
    """The stored preferences of `user`, or an unsaved row holding their role's defaults."""
    stored = NotificationPreference.objects.filter(user=user).first()
    return stored or NotificationPreference(user=user, **preference_defaults(user.role))


def notification_preference_save(*, user: User, **fields: object) -> NotificationPreference:
    """Saves `user`'s preferences (the first save starts from the role defaults). A `webhook_url` left out
    keeps the stored one; an empty one removes it."""
    preference = notification_preference_for(user)
    for name, value in fields.items():
        if name not in PREFERENCE_FIELDS:
            raise ValueError(f"unknown preference {name!r}")
        setattr(preference, name, value)
    preference.save()
    return preference
