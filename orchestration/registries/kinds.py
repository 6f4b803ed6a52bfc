"""Execution kinds: what each `Execution.kind` code means, declared by the app that runs it.

Every app registers its kinds in `<app>/kinds.py` (imported on the first lookup):

    register_kind(ExecutionKind("MOVIDESK_SYNC", _("Sincronização de tickets do Movidesk"), app="integrations",
                                concerns=_("tickets do Movidesk")))

The admin, the API and the console show `label` instead of the code; a code nobody registered (an old
row of a removed job) is shown as it is.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class ExecutionKind:
    code: str
    label: str | Promise
    app: str
    # What a run of this kind is about, in the user's words ("tickets do Movidesk", "uma conta Kommo").
    concerns: str | Promise = ""
    # The Celery task that runs one execution of this kind given only `execution_id` (fan-out children,
    # retries of failed items); empty for kinds that are never started that way.
    task: str = ""


_KINDS: dict[str, ExecutionKind] = {}
_discovered = False


def register_kind(kind: ExecutionKind) -> ExecutionKind:
    existing = _KINDS.get(kind.code)
    if existing is not None and existing.app != kind.app:
        raise ValueError(f"execution kind {kind.code!r} is already registered by {existing.app!r}")
    _KINDS[kind.code] = kind
    return kind


def _registered() -> dict[str, ExecutionKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("kinds")
        _discovered = True
    return _KINDS


def kind_get(code: str) -> ExecutionKind | None:
    return _registered().get(code)


def kind_label(code: str) -> str:
    kind = _registered().get(code)
    return str(kind.label) if kind is not None else code


def kinds_all() -> list[ExecutionKind]:
    return sorted(_registered().values(), key=lambda kind: str(kind.label))


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, str(kind.label)) for kind in kinds_all()]
