"""The signed, time-limited view behind an invoice link on local storage (S3 has presigned URLs)."""

from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest

from orchestration.invoices.services.storage import invoice_link_key


def invoice_file(request: HttpRequest, token: str) -> FileResponse:
    try:
        key = invoice_link_key(token)
    except signing.BadSignature:
        raise Http404 from None  # expired or forged: as if there were nothing there
    if not default_storage.exists(key):
        raise Http404
    name = key.rsplit("/", 1)[-1]
    return FileResponse(default_storage.open(key, "rb"), content_type="application/pdf", filename=name)
