"""Upserting carrier accounts from a CSV, in bulk.

Every row is checked first; a bad row is reported with its line and reason, and then nothing is written
unless `skip_invalid` (the bad rows are skipped, the rest written). Accounts are matched by `unique_hash`
(CNPJ, carrier, unit, service); a matched account whose fields, its decrypted portal password included, are
all equal is unchanged and not written. A blank `senha_portal` keeps the stored password, as in the admin.
Reads and writes go in batches: a few queries per thousand rows, never one per row."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.invoices.imports.reading import ParsedFile, SourceRow, parse
from orchestration.invoices.models import Carrier, CarrierAccount, account_unique_hash
from orchestration.invoices.tax_ids import cnpj_normalize, cpf_normalize

BATCH_SIZE = 1000
# CSV column → model field, for the fields an import writes.
FIELD_OF_COLUMN = {
    "razao_social": "legal_name",
    "nome_sat": "sat_name",
    "cnpj": "cnpj",
    "filtro": "filter",
    "servico": "service",
    "dados_sat": "sat_data",
    "unidade": "unit",
    "login_portal": "portal_login",
    "senha_portal": "portal_password",
    "cpf": "cpf",
}
COMPARED_FIELDS = [*FIELD_OF_COLUMN.values(), "carrier_id"]
MAX_LENGTHS = {
    column: CarrierAccount._meta.get_field(name).max_length
    for column, name in FIELD_OF_COLUMN.items()
    if getattr(CarrierAccount._meta.get_field(name), "max_length", None) and column not in ("cnpj", "cpf")
}

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("Linha %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ""

    @property
    def refused(self) -> bool:
        """Bad rows and no `skip_invalid`: nothing was (or would be) written."""
        return bool(self.errors) and self.skipped == 0

    def counters(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
        }

    def summary(self) -> str:
        return (
            _("Criadas: %(created)d, atualizadas: %(updated)d, inalteradas: %(unchanged)d, ignoradas: %(skipped)d")
            % self.counters()
        )


@dataclass
class _Valid:
    line: int
    unique_hash: str
    carrier: Carrier
    values: dict[str, str]


def _validate(row: SourceRow, width: int, carriers: dict[str, Carrier]) -> tuple[_Valid | None, list[str]]:
    reasons: list[str] = []
    if row.width != width:
        reasons.append(
            _("a linha tem %(found)d campos e o cabeçalho %(expected)d (separador ou aspas fora do lugar?)")
            % {"found": row.width, "expected": width}
        )
        return None, reasons
    raw = row.values
    values = {name: raw.get(column, "") for column, name in FIELD_OF_COLUMN.items()}
    if not values["legal_name"]:
        reasons.append(_("razao_social está vazia"))
    try:
        values["cnpj"] = cnpj_normalize(raw.get("cnpj", ""))
    except ValidationError as error:
        reasons.append(_("cnpj %(value)r: %(error)s") % {"value": raw.get("cnpj", ""), "error": error.messages[0]})
    code = raw.get("operadora", "").strip().upper()
    carrier = carriers.get(code)
    if not code:
        reasons.append(_("operadora está vazia"))
    elif carrier is None:
        reasons.append(
            _("operadora %(code)s não cadastrada (códigos: %(known)s)")
            % {"code": code, "known": ", ".join(sorted(carriers))}
        )
    if values["cpf"]:
        try:
            values["cpf"] = cpf_normalize(values["cpf"])
        except ValidationError as error:
            reasons.append(_("cpf %(value)r: %(error)s") % {"value": raw.get("cpf", ""), "error": error.messages[0]})
    elif carrier is not None and carrier.requires_cpf:
        reasons.append(_("a operadora %(code)s exige cpf") % {"code": carrier.code})
    for column, limit in MAX_LENGTHS.items():
        if limit and len(raw.get(column, "")) > limit:
            reasons.append(_("%(column)s passa de %(limit)d caracteres") % {"column": column, "limit": limit})
    if reasons or carrier is None:
        return None, reasons
    unique_hash = account_unique_hash(
        cnpj=values["cnpj"], carrier_code=carrier.code, unit=values["unit"], service=values["service"]
    )
    return _Valid(line=row.line, unique_hash=unique_hash, carrier=carrier, values=values), []


def _existing(hashes: list[str]) -> dict[str, CarrierAccount]:
    found: dict[str, CarrierAccount] = {}
    for start in range(0, len(hashes), BATCH_SIZE * 5):
        chunk = hashes[start : start + BATCH_SIZE * 5]
        for account in CarrierAccount.objects.filter(unique_hash__in=chunk):
            found[account.unique_hash] = account
    return found


def _apply(valid: _Valid, account: CarrierAccount) -> bool:
    """Copies the row onto `account`; True when something differed."""
    changed = False
    values = dict(valid.values)
    if not values["portal_password"]:
        values.pop("portal_password")  # blank keeps the stored password
    for name, value in values.items():
        if getattr(account, name) != value:
            setattr(account, name, value)
            changed = True
    if account.carrier_id != valid.carrier.pk:
        account.carrier = valid.carrier
        changed = True
    return changed


def carrier_accounts_import(
    *,
    source: bytes | BinaryIO,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Checks and upserts the accounts of a CSV (see the module's docstring); ImportFileError when the file
    itself is unreadable. In a dry run the counts are what a real run would do, and nothing is written."""
    parsed: ParsedFile = parse(source)
    report = ImportReport(dry_run=dry_run, encoding=parsed.encoding, delimiter=parsed.delimiter)
    if parsed.ignored_columns:
        report.warnings.append(_("Colunas ignoradas: %(names)s.") % {"names": ", ".join(parsed.ignored_columns)})
    total = len(parsed.rows)
    report.rows = total
    carriers = {carrier.code: carrier for carrier in Carrier.objects.all()}
    width = parsed.width
    valid_rows: list[_Valid] = []
    first_line_of: dict[str, int] = {}
    for index, row in enumerate(parsed.rows, start=1):
        valid, reasons = _validate(row, width, carriers)
        if valid is not None and valid.unique_hash in first_line_of:
            reasons = [
                _("repete a conta da linha %(line)d (mesmo cnpj, operadora, unidade e serviço)")
                % {"line": first_line_of[valid.unique_hash]}
            ]
            valid = None
        if valid is None:
            report.errors.append(RowError(line=row.line, reason="; ".join(reasons)))
        else:
            first_line_of[valid.unique_hash] = valid.line
            valid_rows.append(valid)
        if progress is not None and (index % BATCH_SIZE == 0 or index == total):
            progress(index // 2, total)
    if report.errors:
        if not skip_invalid:
            return report
        report.skipped = len(report.errors)
    _upsert(valid_rows, report, dry_run=dry_run, total=total, progress=progress)
    return report


def _upsert(
    valid_rows: list[_Valid], report: ImportReport, *, dry_run: bool, total: int, progress: Progress | None
) -> None:
    existing = _existing([valid.unique_hash for valid in valid_rows])
    to_create: list[CarrierAccount] = []
    to_update: list[CarrierAccount] = []
    for valid in valid_rows:
        account = existing.get(valid.unique_hash)
        if account is None:
            account = CarrierAccount(carrier=valid.carrier, unique_hash=valid.unique_hash, **valid.values)
            to_create.append(account)
        elif _apply(valid, account):
            to_update.append(account)
        else:
            report.unchanged += 1
    report.created = len(to_create)
    report.updated = len(to_update)
    if dry_run:
        if progress is not None:
            progress(total, total)
        return
    now = timezone.now()
    written = 0
    half = total // 2
    with transaction.atomic():
        for start in range(0, len(to_create), BATCH_SIZE):
            batch = to_create[start : start + BATCH_SIZE]
            CarrierAccount.objects.bulk_create(batch)
            written += len(batch)
            _report_progress(progress, half, written, len(to_create) + len(to_update), total)
        for account in to_update:
            account.updated_at = now
        fields = [name for name in COMPARED_FIELDS if name != "carrier_id"] + ["carrier", "updated_at"]
        for start in range(0, len(to_update), BATCH_SIZE):
            batch = to_update[start : start + BATCH_SIZE]
            CarrierAccount.objects.bulk_update(batch, fields)
            written += len(batch)
            _report_progress(progress, half, written, len(to_create) + len(to_update), total)
    if progress is not None:
        progress(total, total)


def _report_progress(progress: Progress | None, half: int, written: int, writes: int, total: int) -> None:
    if progress is not None and writes:
        progress(half + (total - half) * written // writes, total)


def report_as_dict(report: ImportReport) -> dict[str, Any]:
    return {
        **report.counters(),
        "dry_run": report.dry_run,
        "refused": report.refused,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "errors": [{"line": error.line, "reason": error.reason} for error in report.errors],
        "warnings": report.warnings,
    }
