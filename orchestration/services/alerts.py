"""Raising and resolving alerts: the one API every job uses.

    alert_raise(fingerprint="movidesk:sync-failed", group="movidesk:sync", severity=Severity.CRITICAL,
                title="Sincronização do Movidesk falhou", execution=execution)
    alert_resolve(fingerprint="movidesk:sync-failed")

Nothing is sent here: the periodic delivery (services.notifications) groups what is due into one message
per person. Raising an open alert again only bumps its count and last-seen time. An alert resolved and
raised again before its recovery went out (inside the group window) is the same alert reopened: nobody
hears the flip. Neither function ever raises: a job never fails because alerting failed.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from orchestration.models import Alert, AlertKind, AlertStatus, Execution, Severity, User
from orchestration.services.transitions import StatusMachine

logger = logging.getLogger(__name__)

ALERT_MACHINE = StatusMachine(
    Alert, {AlertStatus.RESOLVED: {AlertStatus.OPEN}, AlertStatus.OPEN: {AlertStatus.RESOLVED}}
)


def _group_window() -> timedelta:
    return timedelta(seconds=settings.ALERT_GROUP_WINDOW_SECONDS)


def _bump(fingerprint: str, now: datetime, fields: dict[str, object]) -> Alert | None:
    updated = Alert.objects.filter(fingerprint=fingerprint, status=AlertStatus.OPEN).update(
        occurrences=F("occurrences") + 1, last_seen_at=now, **fields
    )
    if not updated:
        return None
    return Alert.objects.filter(fingerprint=fingerprint, status=AlertStatus.OPEN).first()


def _reopen_flap(fingerprint: str, now: datetime, fields: dict[str, object]) -> Alert | None:
    """The alert resolved inside the window whose recovery has not gone out, opened again quietly."""
    candidate = (
        Alert.objects.filter(
            fingerprint=fingerprint,
            status=AlertStatus.RESOLVED,
            recovery_notified_at__isnull=True,
            resolved_at__gte=now - _group_window(),
        )
        .order_by("-resolved_at")
        .first()
    )
    if candidate is None:
        return None
    try:
        with transaction.atomic():
            reopened = ALERT_MACHINE.apply(
                candidate,
                to=AlertStatus.OPEN,
                resolved_at=None,
                resolved_by=None,
                occurrences=F("occurrences") + 1,
                last_seen_at=now,
                **fields,
            )
    except IntegrityError:
        return None  # another writer opened a new one meanwhile
    return candidate if reopened else None


def _raise(
    *,
    fingerprint: str,
    group: str,
    severity: str,
    title: str,
    details: str,
    group_title: str,
    kind: str,
    execution: Execution | None,
    subject: models.Model | None,
    owner: User | None,
    now: datetime,
) -> Alert:
    changes: dict[str, object] = {"severity": severity, "title": title[:300], "details": details}
    if group_title:
        changes["group_title"] = group_title[:300]
    if execution is not None:
        changes["execution"] = execution
    alert = _bump(fingerprint, now, changes) or _reopen_flap(fingerprint, now, changes)
    if alert is not None:
        return alert
    subject_fields: dict[str, object] = {}
    if subject is not None:
        subject_fields = {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}
    try:
        with transaction.atomic():
            return Alert.objects.create(
                fingerprint=fingerprint,
                group=group,
                kind=kind,
                first_seen_at=now,
                last_seen_at=now,
                owner=owner,
                **changes,
                **subject_fields,
            )
    except IntegrityError:
        # Two raisers at once: the other one created it; ours is one more occurrence.
        bumped = _bump(fingerprint, now, changes)
        if bumped is None:
            raise
        return bumped


def alert_raise(
    *,
    fingerprint: str,
    group: str,
    severity: str = Severity.WARNING,
    title: str,
    details: str = "",
    group_title: str = "",
    kind: str = AlertKind.FAILURE,
    execution: Execution | None = None,
    subject: models.Model | None = None,
    owner: User | None = None,
    now: datetime | None = None,
) -> Alert | None:
    """Opens the alert `fingerprint`, or counts one more occurrence of the open one. None (logged) when
    alerting itself failed: the caller's job goes on.

    `group_title` is the subject of a message that lists several alerts of the group, with `%(count)d` for
    their number ("Kommo: %(count)d contas precisam de nova autorização"); without it, "<group>: N alertas"."""
    try:
        return _raise(
            fingerprint=fingerprint,
            group=group,
            severity=Severity(severity),
            title=title,
            details=details,
            group_title=group_title,
            kind=AlertKind(kind),
            execution=execution,
            subject=subject,
            owner=owner,
            now=now or timezone.now(),
        )
    except Exception:
        logger.exception("could not raise alert %s", fingerprint)
        return None


def alert_resolve(*, fingerprint: str, user: User | None = None, now: datetime | None = None) -> Alert | None:
    """Resolves the open alert `fingerprint` (by `user`, or automatically); None when none was open.
    Its recovery message goes out once the group window passed without it opening again."""
    try:
        alert = Alert.objects.filter(fingerprint=fingerprint, status=AlertStatus.OPEN).first()
        if alert is None:
            return None
        return alert if alert_resolve_instance(alert, user=user, now=now) else None
    except Exception:
        logger.exception("could not resolve alert %s", fingerprint)
        return None


def alert_resolve_instance(alert: Alert, *, user: User | None = None, now: datetime | None = None) -> bool:
    """Resolves `alert` if it is still open (True), for the admin action and the API (which answer 409)."""
    return ALERT_MACHINE.apply(alert, to=AlertStatus.RESOLVED, resolved_at=now or timezone.now(), resolved_by=user)
