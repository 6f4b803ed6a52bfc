"""Hands a Kommo sync to a worker: the only module of the services side that imports a task."""

from typing import Any

from django.db import transaction

from integrations.kommo.accounts import master_get
from integrations.kommo.models import KommoAccount
from integrations.kommo.sync import ACTIVE, SYNC_KIND, kommo_sync_create
from integrations.kommo.tasks import kommo_salesbot_continue, kommo_sync
from orchestration.models import Execution


def kommo_sync_enqueue(**options: Any) -> Execution:
    """Records the sync (see kommo_sync_create) and sends it to a worker after commit."""
    execution = kommo_sync_create(**options)
    kommo_sync.delay_on_commit(execution_id=execution.pk)
    return execution


def kommo_sync_enqueue_once(**options: Any) -> tuple[Execution, bool]:
    """For webhooks: the sync already queued or running, if any (a repeated delivery starts nothing), else
    a new one. Serialised on the master's row so two deliveries at once start one run."""
    with transaction.atomic():
        master = master_get()
        KommoAccount.objects.select_for_update().filter(pk=master.pk).first()
        running = Execution.objects.filter(kind=SYNC_KIND, status__in=ACTIVE).order_by("-id").first()
        if running is not None:
            return running, False
        return kommo_sync_enqueue(**options), True


def salesbot_continue_enqueue(*, account_id: int, return_url: str, execution_id: int) -> None:
    kommo_salesbot_continue.delay_on_commit(account_id=account_id, return_url=return_url, execution_id=execution_id)
