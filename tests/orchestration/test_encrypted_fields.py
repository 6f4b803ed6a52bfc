"""Secrets at rest: ciphertext in the database, key rotation, clear errors, never shown back."""

import orchestration.admin_credentials  # noqa: F401  (registers the admin until admin.py imports it)
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from rest_framework import serializers

from orchestration.api.fields import SecretField
from orchestration.models import ServiceCredential

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = "tok-a1b2c3d4e5f6"  # noqa: S105


def raw_secret(credential: ServiceCredential) -> str:
    table = ServiceCredential._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [credential.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_column_holds_ciphertext_and_python_sees_plain_text() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        credential = ServiceCredential.objects.create(service="movidesk", secret=SECRET)

        stored = raw_secret(credential)
        assert SECRET not in stored
        assert Fernet(OLD_KEY).decrypt(stored.encode()).decode() == SECRET
        assert ServiceCredential.objects.get(pk=credential.pk).secret == SECRET
        assert list(ServiceCredential.objects.values_list("secret", flat=True)) == [SECRET]


def test_the_same_text_encrypts_differently_so_only_empty_can_be_filtered() -> None:
    a = ServiceCredential.objects.create(service="a", secret=SECRET)
    b = ServiceCredential.objects.create(service="b", secret=SECRET)
    ServiceCredential.objects.create(service="c", secret="")

    assert raw_secret(a) != raw_secret(b)
    assert list(ServiceCredential.objects.filter(secret="").values_list("service", flat=True)) == ["c"]
    with pytest.raises(FieldError):
        ServiceCredential.objects.filter(secret=SECRET).exists()
    with pytest.raises(FieldError):
        ServiceCredential.objects.filter(secret__icontains="tok").exists()


def test_an_empty_string_stays_empty() -> None:
    credential = ServiceCredential.objects.create(service="vazio", secret="")

    assert raw_secret(credential) == ""
    assert ServiceCredential.objects.get(pk=credential.pk).secret == ""


def test_keys_rotate_new_key_first_then_the_old_one_can_go() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        credential = ServiceCredential.objects.create(service="kommo", secret=SECRET)
        ServiceCredential.objects.create(service="vazio", secret="")

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert ServiceCredential.objects.get(pk=credential.pk).secret == SECRET  # old values still read
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert ServiceCredential.objects.get(pk=credential.pk).secret == SECRET
        assert Fernet(NEW_KEY).decrypt(raw_secret(credential).encode()).decode() == SECRET
        assert ServiceCredential.objects.get(service="vazio").secret == ""


def test_a_wrong_key_is_a_clear_error_never_the_ciphertext() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        credential = ServiceCredential.objects.create(service="google", secret=SECRET)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(ImproperlyConfigured) as caught:
        ServiceCredential.objects.get(pk=credential.pk)

    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value) and "ServiceCredential.secret" in str(caught.value)


@pytest.mark.parametrize("keys", [[], ["não-é-uma-chave"]])
def test_missing_or_invalid_keys_are_a_clear_error(keys: list[str]) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(ImproperlyConfigured) as caught:
        ServiceCredential.objects.create(service="x", secret=SECRET)

    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value)
    with override_settings(FIELD_ENCRYPTION_KEYS=keys):
        errors = ServiceCredential._meta.get_field("secret").check()
    assert [error.id for error in errors] == ["orchestration.E001"]


def test_the_admin_never_shows_the_secret_and_blank_keeps_it(client, admin_user) -> None:  # type: ignore[no-untyped-def]
    credential = ServiceCredential.objects.create(service="movidesk", label="Movidesk", secret=SECRET)
    client.force_login(admin_user)
    url = reverse("admin:orchestration_servicecredential_change", args=[credential.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert 'type="password"' in page.content.decode()

    response = client.post(url, {"service": "movidesk", "label": "Movidesk produção", "secret": ""})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.label, credential.secret) == ("Movidesk produção", SECRET)

    client.post(url, {"service": "movidesk", "label": "Movidesk produção", "secret": "tok-novo-123"})
    credential.refresh_from_db()
    assert credential.secret == "tok-novo-123"


def test_a_new_credential_needs_its_secret_in_the_admin(client, admin_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_user)

    response = client.post(reverse("admin:orchestration_servicecredential_add"), {"service": "kommo", "secret": ""})

    assert response.status_code == 200  # the form again, with the error
    assert not ServiceCredential.objects.exists()


def test_serializers_accept_the_secret_but_never_return_it() -> None:
    class CredentialSerializer(serializers.ModelSerializer):
        class Meta:
            model = ServiceCredential
            fields = ["id", "service", "secret"]

    serializer = CredentialSerializer(data={"service": "kommo", "secret": SECRET})
    assert serializer.is_valid(), serializer.errors
    credential = serializer.save()

    assert isinstance(CredentialSerializer().fields["secret"], SecretField)
    assert ServiceCredential.objects.get(pk=credential.pk).secret == SECRET
    assert CredentialSerializer(credential).data == {"id": credential.pk, "service": "kommo"}


def test_dumpdata_writes_ciphertext_and_loaddata_restores_the_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    credential = ServiceCredential.objects.create(service="movidesk", secret=SECRET)
    dump = tmp_path / "credentials.json"

    call_command("dumpdata", "orchestration.servicecredential", output=str(dump), verbosity=0)
    assert SECRET not in dump.read_text()

    ServiceCredential.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    assert ServiceCredential.objects.get(pk=credential.pk).secret == SECRET
    assert SECRET not in raw_secret(credential)
