"""The local S3 the tests use is spoken to through django-storages, like production's bucket."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.harness.s3 import S3Server


@pytest.mark.django_db
def test_default_storage_writes_to_the_test_bucket(s3_server: S3Server, s3_bucket: str) -> None:
    name = default_storage.save("pdfs/probe.pdf", ContentFile(b"%PDF-1.4 probe"))

    assert s3_server.keys(s3_bucket) == [name]
    assert default_storage.open(name).read() == b"%PDF-1.4 probe"
    assert "X-Amz-Signature" in default_storage.url(name)
