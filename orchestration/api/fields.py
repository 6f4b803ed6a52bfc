"""API fields for secrets: accepted on write, never returned."""

from typing import Any

from rest_framework import serializers

from orchestration.fields import EncryptedTextField


class SecretField(serializers.CharField):
    """Write-only text for tokens and passwords; responses never carry it. Omit it to keep the stored one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["write_only"] = True
        kwargs.setdefault("trim_whitespace", False)
        kwargs["style"] = {"input_type": "password", **kwargs.get("style", {}), "base_template": "input.html"}
        super().__init__(**kwargs)


# A ModelSerializer listing an EncryptedTextField gets a SecretField, never a readable CharField.
# Importing this module registers the mapping; OrchestrationConfig.ready() should import it so it holds
# before any serializer is built, whoever builds it.
serializers.ModelSerializer.serializer_field_mapping[EncryptedTextField] = SecretField
