"""Secrets at rest: ciphertext in the database, key rotation, clear errors, never shown back.

The field's mechanics are exercised on `SecretHolder`, a model that exists only here: it lives in an isolated
app registry (so nothing else — migrations, permissions, `rotate_encryption_keys` — ever sees it) and its
table is created with the schema editor for this module. Rotation and fixtures go through the real owner of
a secret, `MovideskSettings.token`, so they also prove that the command discovers encrypted columns by
itself, over every installed model."""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models
from django.test import RequestFactory, override_settings
from django.test.utils import isolate_apps
from rest_framework import serializers

from integrations.models import MovideskSettings
from orchestration.api.fields import SecretField
from orchestration.fields import EncryptedTextField, encrypted_fields_by_model
from orchestration.forms.secrets import SecretModelForm

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = "tok-a1b2c3d4e5f6"  # noqa: S105

with isolate_apps("orchestration"):

    class SecretHolder(models.Model):
        service = models.SlugField(max_length=64, unique=True)
        label = models.CharField(max_length=120, blank=True)
        secret = EncryptedTextField()

        class Meta:
            app_label = "orchestration"
            db_table = "test_encrypted_fields_secretholder"

        def __str__(self) -> str:
            return self.service


class SecretHolderAdmin(admin.ModelAdmin):
    form = SecretModelForm
    fields = ["service", "label", "secret"]


@pytest.fixture(scope="module", autouse=True)
def secret_holder_table(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(SecretHolder)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(SecretHolder)


def raw_column(model: type[models.Model], column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def raw_secret(holder: SecretHolder) -> str:
    return raw_column(SecretHolder, "secret", holder.pk)


def test_the_column_holds_ciphertext_and_python_sees_plain_text() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        holder = SecretHolder.objects.create(service="movidesk", secret=SECRET)

        stored = raw_secret(holder)
        assert SECRET not in stored
        assert Fernet(OLD_KEY).decrypt(stored.encode()).decode() == SECRET
        assert SecretHolder.objects.get(pk=holder.pk).secret == SECRET
        assert list(SecretHolder.objects.values_list("secret", flat=True)) == [SECRET]


def test_the_same_text_encrypts_differently_so_only_empty_can_be_filtered() -> None:
    a = SecretHolder.objects.create(service="a", secret=SECRET)
    b = SecretHolder.objects.create(service="b", secret=SECRET)
    SecretHolder.objects.create(service="c", secret="")

    assert raw_secret(a) != raw_secret(b)
    assert list(SecretHolder.objects.filter(secret="").values_list("service", flat=True)) == ["c"]
    with pytest.raises(FieldError):
        SecretHolder.objects.filter(secret=SECRET).exists()
    with pytest.raises(FieldError):
        SecretHolder.objects.filter(secret__icontains="tok").exists()
    with pytest.raises(FieldError):
        SecretHolder.objects.filter(secret__startswith="tok").exists()


def test_an_empty_string_stays_empty() -> None:
    holder = SecretHolder.objects.create(service="vazio", secret="")

    assert raw_secret(holder) == ""
    assert SecretHolder.objects.get(pk=holder.pk).secret == ""


def test_a_wrong_key_is_a_clear_error_never_the_ciphertext() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        holder = SecretHolder.objects.create(service="google", secret=SECRET)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(ImproperlyConfigured) as caught:
        SecretHolder.objects.get(pk=holder.pk)

    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value) and "orchestration.SecretHolder.secret" in str(caught.value)
    assert raw_secret(holder) not in str(caught.value)


@pytest.mark.parametrize("keys", [[], ["não-é-uma-chave"]])
def test_missing_or_invalid_keys_are_a_clear_error(keys: list[str]) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(ImproperlyConfigured) as caught:
        SecretHolder.objects.create(service="x", secret=SECRET)

    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value)
    with override_settings(FIELD_ENCRYPTION_KEYS=keys):
        errors = SecretHolder._meta.get_field("secret").check()
    assert [error.id for error in errors] == ["orchestration.E001"]


def test_the_admin_form_never_shows_the_secret_and_blank_keeps_it() -> None:
    holder = SecretHolder.objects.create(service="movidesk", label="Movidesk", secret=SECRET)
    # The form the admin builds (formfield_for_dbfield offers a textarea for a TextField; the field refuses it).
    form_class = SecretHolderAdmin(SecretHolder, admin.AdminSite()).get_form(RequestFactory().get("/"), holder)

    rendered = str(form_class(instance=holder))
    assert SECRET not in rendered and raw_secret(holder) not in rendered
    assert 'type="password"' in rendered and "<textarea" not in rendered

    form = form_class({"service": "movidesk", "label": "Movidesk produção", "secret": ""}, instance=holder)
    assert form.is_valid(), form.errors
    form.save()
    holder.refresh_from_db()
    assert (holder.label, holder.secret) == ("Movidesk produção", SECRET)

    form = form_class({"service": "movidesk", "label": "Movidesk produção", "secret": "tok-novo-123"}, instance=holder)
    assert form.is_valid(), form.errors
    form.save()
    holder.refresh_from_db()
    assert holder.secret == "tok-novo-123"


def test_a_new_row_needs_its_secret_in_the_admin_form() -> None:
    form_class = SecretHolderAdmin(SecretHolder, admin.AdminSite()).get_form(RequestFactory().get("/"))

    form = form_class({"service": "kommo", "secret": ""})

    assert not form.is_valid() and "secret" in form.errors
    assert not SecretHolder.objects.exists()


def test_serializers_accept_the_secret_but_never_return_it() -> None:
    class HolderSerializer(serializers.ModelSerializer):
        class Meta:
            model = SecretHolder
            fields = ["id", "service", "secret"]

    serializer = HolderSerializer(data={"service": "kommo", "secret": SECRET})
    assert serializer.is_valid(), serializer.errors
    holder = serializer.save()

    assert isinstance(HolderSerializer().fields["secret"], SecretField)
    assert SecretHolder.objects.get(pk=holder.pk).secret == SECRET
    assert HolderSerializer(holder).data == {"id": holder.pk, "service": "kommo"}


# --- the real owner: MovideskSettings.token (one row, pk=1) ---------------------------------------------------


def test_rotation_finds_every_encrypted_column_without_naming_it() -> None:
    found = {(model._meta.label, name) for model, names in encrypted_fields_by_model() for name in names}

    assert ("integrations.MovideskSettings", "token") in found
    assert not any(label == "orchestration.SecretHolder" for label, _ in found)  # isolated: never rotated


def test_keys_rotate_new_key_first_then_the_old_one_can_go() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        MovideskSettings.objects.update_or_create(pk=1, defaults={"token": SECRET})

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert MovideskSettings.objects.get(pk=1).token == SECRET  # old values still read
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "1 registro(s)" in out.getvalue()

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert MovideskSettings.objects.get(pk=1).token == SECRET
        assert Fernet(NEW_KEY).decrypt(raw_column(MovideskSettings, "token", 1).encode()).decode() == SECRET


def test_rotation_leaves_an_empty_secret_empty() -> None:
    MovideskSettings.objects.update_or_create(pk=1, defaults={"token": ""})

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    assert raw_column(MovideskSettings, "token", 1) == ""


def test_dumpdata_writes_ciphertext_and_loaddata_restores_the_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    MovideskSettings.objects.update_or_create(pk=1, defaults={"token": SECRET})
    dump = tmp_path / "movidesk_settings.json"

    call_command("dumpdata", "integrations.movidesksettings", output=str(dump), verbosity=0)
    assert SECRET not in dump.read_text()

    MovideskSettings.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    assert MovideskSettings.objects.get(pk=1).token == SECRET
    assert SECRET not in raw_column(MovideskSettings, "token", 1)
