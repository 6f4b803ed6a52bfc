"""Bulk registration of Kommo accounts from a CSV (columns by header). Every row is checked first; one
bad row means nothing is written, and every problem is reported with its line and column."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from integrations.kommo.accounts import subdomain_normalize
from integrations.kommo.models import AccountRole, AuthState, KommoAccount
from orchestration.exceptions import ValidationFailed

REQUIRED = ("subdomain", "name", "role")
OAUTH = ("access_token", "refresh_token", "expires_at")
OPTIONAL = ("long_lived_token", "client_id", "client_secret", "redirect_uri")
KNOWN = (*REQUIRED, *OAUTH, *OPTIONAL)


class ImportRefused(ValidationFailed):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _expires(value: str) -> datetime | None:
    parsed = parse_datetime(value.strip().replace(" ", "T", 1)) if value.strip() else None
    if parsed is not None and parsed.tzinfo is None:
        return None  # a moment without its zone is ambiguous
    return parsed


def _row(line: int, row: dict[str, str], errors: list[str]) -> dict[str, Any] | None:
    def bad(column: str, message: str) -> None:
        errors.append(
            _("Linha %(line)d, coluna %(column)s: %(message)s") % {"line": line, "column": column, "message": message}
        )

    values: dict[str, Any] = {key: (row.get(key) or "").strip() for key in KNOWN}
    before = len(errors)
    try:
        values["subdomain"] = subdomain_normalize(values["subdomain"])
    except ValidationFailed as error:
        bad("subdomain", str(error))
    if not values["name"]:
        bad("name", _("obrigatório."))
    role = values["role"].upper()
    if role not in AccountRole.values:
        bad("role", _("“%(value)s” não é MASTER nem REPLICA.") % {"value": values["role"]})
    values["role"] = role
    has_oauth = any(values[key] for key in OAUTH)
    if values["long_lived_token"] and has_oauth:
        bad("long_lived_token", _("use o token de longa duração ou access/refresh token, não os dois."))
    elif not values["long_lived_token"]:
        for key in ("access_token", "refresh_token", "expires_at"):
            if not values[key]:
                bad(key, _("obrigatório sem long_lived_token."))
        if values["expires_at"]:
            expires = _expires(values["expires_at"])
            if expires is None:
                bad(
                    "expires_at",
                    _("“%(value)s” não é uma data ISO 8601 com fuso (ex.: 2026-01-31T12:00:00-03:00).")
                    % {"value": values["expires_at"]},
                )
            values["expires_at"] = expires
    if values["redirect_uri"] and not values["redirect_uri"].startswith(("https://", "http://")):
        bad("redirect_uri", _("precisa começar com https://."))
    return values if len(errors) == before else None


def accounts_import(content: str) -> ImportResult:
    """Creates or updates (by subdomain) every account of the CSV, all or nothing."""
    text = content.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = headers
    missing = [name for name in REQUIRED if name not in headers]
    if missing:
        raise ImportRefused([_("Cabeçalho sem as colunas: %(columns)s.") % {"columns": ", ".join(missing)}])
    if "long_lived_token" not in headers and any(name not in headers for name in OAUTH):
        raise ImportRefused([_("Cabeçalho: informe access_token, refresh_token e expires_at, ou long_lived_token.")])
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        values = _row(line, row, errors)
        if values is None:
            continue
        if values["subdomain"] in seen:
            errors.append(
                _("Linha %(line)d, coluna subdomain: “%(value)s” repete a linha %(first)d.")
                % {"line": line, "value": values["subdomain"], "first": seen[values["subdomain"]]}
            )
            continue
        seen[values["subdomain"]] = line
        rows.append({**values, "line": line})
    masters = [r for r in rows if r["role"] == AccountRole.MASTER]
    other_master = KommoAccount.objects.filter(role=AccountRole.MASTER, active=True).exclude(subdomain__in=seen).first()
    if len(masters) + (1 if other_master else 0) > 1:
        names = [r["subdomain"] for r in masters] + ([other_master.subdomain] if other_master else [])
        errors.append(
            _("Só pode haver uma conta mestre ativa; o arquivo resultaria em: %(names)s.") % {"names": ", ".join(names)}
        )
    if not rows and not errors:
        errors.append(_("O arquivo não tem nenhuma conta."))
    if errors:
        raise ImportRefused(errors)
    result = ImportResult()
    with transaction.atomic():
        for values in rows:
            account = KommoAccount.objects.filter(subdomain=values["subdomain"]).first()
            created = account is None
            account = account or KommoAccount(subdomain=values["subdomain"])
            account.name, account.role, account.active = values["name"], values["role"], True
            account.long_lived_token = values["long_lived_token"]
            account.access_token = values["access_token"] if not values["long_lived_token"] else ""
            account.refresh_token = values["refresh_token"] if not values["long_lived_token"] else ""
            account.expires_at = values["expires_at"] or None
            account.client_id, account.redirect_uri = values["client_id"], values["redirect_uri"]
            account.client_secret = values["client_secret"]
            account.auth_state, account.auth_error = AuthState.OK, ""
            account.save()
            (result.created if created else result.updated).append(account.subdomain)
    return result
