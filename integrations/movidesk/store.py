"""Writes one page of Movidesk tickets: a bulk upsert inside one transaction, so a crash leaves no
half page, and a re-run of the same data writes nothing (every row counts as unchanged)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.movidesk.client import MovideskTicketRecord
from integrations.movidesk.models import MovideskTicket

UPDATED_FIELDS = [
    "protocol",
    "subject",
    "status",
    "base_status",
    "category",
    "urgency",
    "owner_person_id",
    "owner_name",
    "owner_email",
    "owner_team",
    "clients",
    "created_date",
    "last_update",
    "raw",
    "synced_at",
]


@dataclass(frozen=True)
class UpsertResult:
    new: int
    updated: int
    unchanged: int


def _fit(field: str, value: str) -> str:
    # The JSON keeps the full value; the column keeps what fits (PostgreSQL would refuse the row).
    limit = MovideskTicket._meta.get_field(field).max_length
    return value[:limit] if limit else value


def ticket_values(record: MovideskTicketRecord) -> dict[str, Any]:
    owner = record.owner
    return {
        "protocol": _fit("protocol", record.protocol),
        "subject": record.subject,
        "status": _fit("status", record.status),
        "base_status": _fit("base_status", record.base_status),
        "category": _fit("category", record.category),
        "urgency": _fit("urgency", record.urgency),
        "owner_person_id": _fit("owner_person_id", owner.id if owner else ""),
        "owner_name": _fit("owner_name", owner.name if owner else ""),
        "owner_email": _fit("owner_email", owner.email if owner else ""),
        "owner_team": _fit("owner_team", record.owner_team),
        "clients": [
            {"id": c.id, "name": c.name, "email": c.email, "organization": c.organization} for c in record.clients
        ],
        "created_date": record.created_date,
        "last_update": record.last_update,
        "raw": record.raw,
    }


def tickets_upsert(records: Iterable[MovideskTicketRecord], *, now: datetime | None = None) -> UpsertResult:
    """Inserts new tickets, updates changed ones, leaves the rest; all or nothing."""
    now = now or timezone.now()
    by_id = {record.id: record for record in records}  # a repeated id: the later row wins
    if not by_id:
        return UpsertResult(0, 0, 0)
    with transaction.atomic():
        stored = {
            pk: (raw, last_update)
            for pk, raw, last_update in MovideskTicket.objects.filter(pk__in=by_id).values_list(
                "pk", "raw", "last_update"
            )
        }
        created, changed, unchanged = [], [], 0
        for ticket_id, record in by_id.items():
            current = stored.get(ticket_id)
            if current is None:
                created.append(
                    MovideskTicket(id=ticket_id, first_synced_at=now, synced_at=now, **ticket_values(record))
                )
            elif current[0] == record.raw or current[1] > record.last_update:
                # Same content, or we already hold a newer version than this (late) read.
                unchanged += 1
            else:
                changed.append(MovideskTicket(id=ticket_id, synced_at=now, **ticket_values(record)))
        if created:
            MovideskTicket.objects.bulk_create(created)
        if changed:
            MovideskTicket.objects.bulk_update(changed, UPDATED_FIELDS)
    return UpsertResult(len(created), len(changed), unchanged)
