"""`import_whatsapp_sessions FILE.csv`: sessions by header (name, provider, base_url, api_key, instance,
phone; any order, extra columns refused). Every row is validated first; with an error in any row nothing
is written, unless `skip_invalid`, which imports the valid rows and reports the others. A row whose
(provider, base_url, instance) is already registered updates that session."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from orchestration.models import Company
from whatsapp_health.exceptions import ImportInvalid
from whatsapp_health.models import Provider, WhatsAppSession
from whatsapp_health.services import session_save

COLUMNS = ("name", "provider", "base_url", "api_key", "instance", "phone")
REQUIRED = ("name", "provider", "base_url", "api_key", "instance")
_PROVIDERS = {
    "evolution": Provider.EVOLUTION,
    "evolution api": Provider.EVOLUTION,
    "evolution_api": Provider.EVOLUTION,
    "waha": Provider.WAHA,
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)  # rows skipped with --skip-invalid


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


def _read(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("faltam as colunas %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            problems.append(_("colunas desconhecidas %(names)s") % {"names": ", ".join(unknown)})
        raise ImportInvalid(_("Cabeçalho inválido: %(problems)s.") % {"problems": "; ".join(problems)}, problems)
    reader.fieldnames = header
    return [
        _Row(reader.line_num, {key: (value or "").strip() for key, value in raw.items() if key in COLUMNS})
        for raw in reader
    ]


def _problems(row: _Row, seen: dict[tuple[str, str, str], int]) -> list[str]:
    found = []
    values = row.values
    for name in REQUIRED:
        if not values.get(name):
            found.append(_("linha %(line)d, coluna %(column)s: obrigatória") % {"line": row.line, "column": name})
    provider = _PROVIDERS.get(values.get("provider", "").lower())
    if values.get("provider") and provider is None:
        found.append(
            _("linha %(line)d, coluna provider: “%(value)s” não é evolution nem waha")
            % {"line": row.line, "value": values["provider"]}
        )
    if values.get("base_url"):
        try:
            URLValidator(schemes=["http", "https"])(values["base_url"])
        except ValidationError:
            found.append(
                _("linha %(line)d, coluna base_url: “%(value)s” não é uma URL http(s)")
                % {"line": row.line, "value": values["base_url"]}
            )
    for name, limit in (("name", 150), ("instance", 120), ("phone", 30)):
        if len(values.get(name, "")) > limit:
            found.append(
                _("linha %(line)d, coluna %(column)s: mais de %(limit)d caracteres")
                % {"line": row.line, "column": name, "limit": limit}
            )
    key = (str(provider), values.get("base_url", "").rstrip("/"), values.get("instance", ""))
    if provider and key in seen:
        found.append(_("linha %(line)d: mesma instância da linha %(other)d") % {"line": row.line, "other": seen[key]})
    seen.setdefault(key, row.line)
    return found


def sessions_import(text: str, *, skip_invalid: bool = False, company: Company | None = None) -> ImportReport:
    rows = _read(text)
    report = ImportReport()
    seen: dict[tuple[str, str, str], int] = {}
    valid: list[_Row] = []
    for row in rows:
        problems = _problems(row, seen)
        if problems:
            report.errors.extend(problems)
        else:
            valid.append(row)
    if report.errors and not skip_invalid:
        raise ImportInvalid(
            _("%(count)d erros no arquivo; nada foi importado.") % {"count": len(report.errors)}, report.errors
        )
    with transaction.atomic():
        for row in valid:
            values = row.values
            provider = _PROVIDERS[values["provider"].lower()]
            base_url = values["base_url"].rstrip("/")
            session = WhatsAppSession.objects.filter(
                provider=provider, base_url=base_url, instance=values["instance"]
            ).first()
            created = session is None
            session_save(
                session or WhatsAppSession(company=company),
                name=values["name"],
                provider=provider,
                base_url=base_url,
                api_key=values["api_key"],
                instance=values["instance"],
                phone=values.get("phone", ""),
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report
