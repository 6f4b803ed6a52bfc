"""Reads and small writes of Kommo accounts shared by the sync, the API, the admin and the commands."""

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from integrations.kommo.exceptions import KommoNotConfigured
from integrations.kommo.models import AccountRole, KommoAccount, KommoIdMapping
from orchestration.exceptions import ValidationFailed

SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def subdomain_normalize(value: str) -> str:
    """`acme`, `Acme`, `acme.kommo.com` or `https://acme.kommo.com/` → `acme`; anything else is refused."""
    text = str(value or "").strip().lower()
    text = re.sub(r"^https?://", "", text).split("/")[0]
    text = text.split(".")[0] if "." in text else text
    if not SUBDOMAIN.match(text):
        raise ValidationFailed(_("Subdomínio inválido: “%(value)s” (letras, números e hífen).") % {"value": value})
    return text


def master_get() -> KommoAccount:
    master = KommoAccount.objects.filter(role=AccountRole.MASTER, active=True).first()
    if master is None:
        raise KommoNotConfigured(_("Nenhuma conta Kommo mestre ativa: cadastre uma (papel MASTER)."))
    return master


def replicas_selected(subdomains: list[str] | None = None) -> QuerySet[KommoAccount]:
    """The active replicas, or those named (each must exist, be a replica and be active)."""
    replicas = KommoAccount.objects.filter(role=AccountRole.REPLICA, active=True).order_by("subdomain")
    if not subdomains:
        return replicas
    wanted = {subdomain_normalize(s) for s in subdomains}
    found = set(replicas.filter(subdomain__in=wanted).values_list("subdomain", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise ValidationFailed(
            _("Contas que não são réplicas ativas: %(accounts)s.") % {"accounts": ", ".join(missing)}
        )
    return replicas.filter(subdomain__in=wanted)


def mappings_get(account: KommoAccount) -> dict[str, int]:
    return dict(KommoIdMapping.objects.filter(account=account).values_list("master_key", "replica_id"))


def mappings_store(account: KommoAccount, mappings: dict[str, int]) -> None:
    """Upserts master key → replica id (one statement per 500), so a rename on the master finds its object."""
    rows = [
        KommoIdMapping(account=account, object_type=key.split(":", 1)[0], master_key=key, replica_id=replica_id)
        for key, replica_id in mappings.items()
    ]
    current = mappings_get(account)
    rows = [row for row in rows if current.get(row.master_key) != row.replica_id]
    if rows:
        KommoIdMapping.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["account", "master_key"],
            update_fields=["replica_id", "object_type", "updated_at"],
        )
