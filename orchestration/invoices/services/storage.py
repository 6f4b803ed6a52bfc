"""Invoice files: the PDF check every stored file passes, where it is stored, and the time-limited link.

Keys are `pdfs/<CARRIER>/<YYYY-MM>/conta-<account id>/<execution id>-<name>.pdf`: unique per process
(carrier, month, account) and per run, so two accounts never overwrite each other's file and a rejected
invoice stays where it was when the next one arrives."""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.models import InvoiceProcess

_HEADER = re.compile(rb"^%PDF-(\d)\.(\d)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
LINK_SALT = "orchestration.invoices.file"


def pdf_problem(content: bytes, *, max_bytes: int | None = None) -> str:
    """Why `content` is not an acceptable PDF ('' when it is): size, magic bytes, header version, and a
    trailer whose `startxref` points at a cross-reference table or stream inside the file."""
    limit = settings.INVOICE_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if not content:
        return _("O arquivo está vazio.")
    if len(content) > limit:
        return _("O arquivo tem %(size)d bytes; o limite é %(limit)d.") % {"size": len(content), "limit": limit}
    header = _HEADER.match(content[:16])
    if not content.startswith(b"%PDF-"):
        return _("O arquivo não é um PDF (não começa com %PDF-).")
    if header is None or not (1, 0) <= (int(header[1]), int(header[2])) <= (2, 0):
        return _("O cabeçalho do PDF é inválido (versão desconhecida).")
    tail = _STARTXREF.search(content[-2048:])
    if tail is None:
        return _("O PDF está incompleto: falta o final (startxref/%%EOF).")
    offset = int(tail[1])
    if offset >= len(content):
        return _("O PDF está corrompido: a tabela de referências aponta para fora do arquivo.")
    target = content[offset : offset + 32].lstrip()
    if not (target.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", target)):
        return _("O PDF está corrompido: a tabela de referências não está onde o arquivo diz.")
    return ""


def pdf_check(content: bytes, *, max_bytes: int | None = None) -> None:
    problem = pdf_problem(content, max_bytes=max_bytes)
    if problem:
        raise ValidationFailed(problem)


def sanitized_filename(name: str, default: str = "fatura.pdf") -> str:
    """A safe file name: no folders, ASCII letters, digits, '-', '_' and '.', ending in .pdf, at most 100."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = get_valid_filename(base) if base.strip(" .") else ""
    base = re.sub(r"[^A-Za-z0-9._-]", "", base).strip("._-")
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    stem = stem[:96].strip("._-")
    return f"{stem}.pdf" if stem else default


def invoice_key(process: InvoiceProcess, run_id: int, filename: str) -> str:
    carrier = process.account.carrier.code
    month = process.month.strftime("%Y-%m")
    return f"pdfs/{carrier}/{month}/conta-{process.account_id}/{run_id}-{filename}"


@dataclass(frozen=True)
class StoredInvoice:
    key: str
    filename: str
    size: int


def invoice_store(process: InvoiceProcess, *, run_id: int, filename: str, content: bytes) -> StoredInvoice:
    """Checks and stores the PDF; ValidationFailed (nothing stored) when it is not one."""
    pdf_check(content)
    name = sanitized_filename(filename)
    key = invoice_key(process, run_id, name)
    saved = default_storage.save(key, ContentFile(content))
    return StoredInvoice(key=saved, filename=name, size=len(content))


def invoice_link(process: InvoiceProcess) -> str:
    """A link to the process's PDF that stops working after INVOICE_LINK_SECONDS: a presigned URL on
    S3, a signed URL of our own view on local storage."""
    if not process.invoice_key:
        raise ValidationFailed(_("Este processo ainda não tem fatura."))
    seconds = settings.INVOICE_LINK_SECONDS
    if hasattr(default_storage, "bucket_name"):
        return str(default_storage.url(process.invoice_key, expire=seconds))  # type: ignore[call-arg]
    token = signing.dumps({"key": process.invoice_key}, salt=LINK_SALT)
    return reverse("invoice-file", args=[token])


def invoice_link_key(token: str) -> str:
    """The key a signed local link names; signing.BadSignature/SignatureExpired when it is not valid."""
    data = signing.loads(token, salt=LINK_SALT, max_age=settings.INVOICE_LINK_SECONDS)
    return str(data["key"])
