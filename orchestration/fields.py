"""Model fields stored encrypted: Fernet with the key list FIELD_ENCRYPTION_KEYS (the first key
encrypts, every key decrypts, so keys can rotate). Admin and API never show the values back."""

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext_lazy as _

from orchestration.forms.secrets import SecretFormField, SecretInput

KEY_HELP = 'gere uma com: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS está vazia: defina ao menos uma chave Fernet ({KEY_HELP}).")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS tem uma chave inválida: cada chave é base64 url-safe de 32 bytes ({KEY_HELP})."
        ) from None


def field_encryption() -> MultiFernet:
    """The cipher for the keys configured now (ImproperlyConfigured when they are missing or invalid)."""
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class EncryptedExact(Exact):
    """Only `= ""` can be asked of an encrypted column: the same text encrypts differently every time."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.target.name} é criptografado: só é possível filtrar por vazio.")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text kept as Fernet ciphertext in the database; Python code sees plain text.

    Forms render it as an empty password box and a blank submission keeps the stored value."""

    description = _("Texto criptografado")

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        try:
            return field_encryption().decrypt(value.encode()).decode()
        except InvalidToken:
            raise ImproperlyConfigured(
                f"Não foi possível decifrar {self.model._meta.label}.{self.name}: nenhuma chave de "
                "FIELD_ENCRYPTION_KEYS abre o valor salvo (a chave usada para cifrá-lo foi removida ou trocada)."
            ) from None

    def to_python(self, value: Any) -> Any:
        # Fixtures carry ciphertext (see value_to_string); forms and code pass plain text, which no key opens.
        if isinstance(value, str) and value:
            try:
                return field_encryption().decrypt(value.encode()).decode()
            except InvalidToken:
                return value
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # What serializers write (dumpdata, fixtures): the ciphertext, so a dump never holds a secret in clear.
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if not value:
            return value
        return field_encryption().encrypt(str(value).encode()).decode()

    def get_lookup(self, lookup_name: str) -> type | None:
        if lookup_name == "exact":
            return EncryptedExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data in (None, ""):
            return  # the form never shows the stored value, so blank means "keep it"
        super().save_form_data(instance, data)

    def formfield(self, **kwargs: Any) -> Any:
        # Whatever widget the caller offers (the admin offers a textarea), the value is never rendered.
        widget = kwargs.get("widget")
        if not (isinstance(widget, SecretInput) or (isinstance(widget, type) and issubclass(widget, SecretInput))):
            kwargs["widget"] = SecretInput
        return super().formfield(**{"form_class": SecretFormField, **kwargs})

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        try:
            field_encryption()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), obj=self, id="orchestration.E001"))
        return errors


def encrypted_fields_by_model() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def encrypted_values_rotate() -> int:
    """Re-encrypts every stored value with the first key of FIELD_ENCRYPTION_KEYS; returns rows rewritten.
    After it, keys other than the first can be removed."""
    rewritten = 0
    for model, names in encrypted_fields_by_model():
        with transaction.atomic():
            # Locked while rewritten, so a secret saved meanwhile is not overwritten by the old one.
            rows = model._base_manager.select_for_update().values_list("pk", *names)
            for pk, *values in rows.iterator(chunk_size=500):
                changes = {name: value for name, value in zip(names, values, strict=True) if value}
                if changes:
                    model._base_manager.filter(pk=pk).update(**changes)
                    rewritten += 1
    return rewritten
