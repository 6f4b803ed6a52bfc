"""Status changes that two writers can race on: one conditional UPDATE, and a table of allowed moves.

    transition(execution, from_statuses=ACTIVE, to="CANCELLED", finished_at=now)  # -> True or False

`UPDATE ... SET status = <to> WHERE pk = <pk> AND status IN <from>` either wins (True; the instance now
holds the new values) or changes nothing because someone else moved the row first (False; the instance is
refreshed, so the caller sees what won). Nothing is read before the write, so there is no window in which
a cancel, a timeout or a second worker can be overwritten. Every status machine — the execution ledger,
invoice processes, WhatsApp sessions — goes through here instead of copying the pattern.

`StatusMachine` declares the allowed moves once; `apply()` derives `from_statuses` from that table and
`apply_or_raise()` turns a lost or illegal move into `IllegalTransition`, which the API answers with 409.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models.expressions import Combinable
from django.utils.translation import gettext

from orchestration.exceptions import OrchestraError

Target = models.Model | type[models.Model] | models.QuerySet


class IllegalTransition(OrchestraError):
    """A status change the machine does not allow from the current status (or that another writer won)."""

    def __init__(self, message: str, *, current: str = "", target: str = "") -> None:
        super().__init__(message)
        self.current = current
        self.target = target


def _queryset(target: Target) -> models.QuerySet:
    if isinstance(target, models.QuerySet):
        return target
    model = type(target) if isinstance(target, models.Model) else target
    return model._default_manager.all()


def transition(
    target: Target,
    pk: Any = None,
    *,
    from_statuses: Iterable[str],
    to: str,
    field: str = "status",
    **fields: Any,
) -> bool:
    """Moves row `pk` (or the instance `target`) to `to` if its `field` is in `from_statuses`, setting
    `fields` in the same UPDATE. True when this call made the change.

    Given an instance, it is kept in step: on success its attributes get the new values (expressions such
    as `F("attempt") + 1` are re-read from the database); on failure it is refreshed, so the caller can
    report the status that won. Given a model or a queryset (which may narrow the rows further, e.g.
    `.exclude(Exists(...))`), only the row changes."""
    instance = target if isinstance(target, models.Model) else None
    if instance is not None:
        pk = instance.pk
    if pk is None:
        raise ValueError("transition() needs an instance or a pk")
    updated = _queryset(target).filter(pk=pk, **{f"{field}__in": list(from_statuses)}).update(**{field: to}, **fields)
    if instance is None:
        return bool(updated)
    if not updated:
        instance.refresh_from_db()
        return False
    setattr(instance, field, to)
    computed = []
    for name, value in fields.items():
        if isinstance(value, Combinable):
            computed.append(name)
        else:
            setattr(instance, name, value)
    if computed:
        instance.refresh_from_db(fields=computed)
    return True


class StatusMachine:
    """The allowed moves of one status field: `{target: statuses it may be reached from}`.

        INVOICE_MACHINE = StatusMachine(InvoiceProcess, {"APPROVED": {"AWAITING_APPROVAL"}, ...})
        INVOICE_MACHINE.apply_or_raise(process, to="APPROVED", approved_by=user)

    Keyed by target because that is how callers think ("what may become APPROVED?") and because it is
    the `from_statuses` of the conditional UPDATE."""

    def __init__(self, model: type[models.Model], moves: Mapping[str, Iterable[str]], *, field: str = "status") -> None:
        self.model = model
        self.field = field
        self.moves: dict[str, frozenset[str]] = {str(to): frozenset(map(str, sources)) for to, sources in moves.items()}
        choices = dict(model._meta.get_field(field).flatchoices)  # type: ignore[union-attr]
        unknown = {status for to, sources in self.moves.items() for status in {to, *sources}} - set(choices)
        if choices and unknown:
            raise ValueError(f"{model.__name__}.{field} has no status {sorted(unknown)}")
        self._labels = choices

    def sources(self, to: str) -> frozenset[str]:
        return self.moves.get(str(to), frozenset())

    def allows(self, current: str, to: str) -> bool:
        return str(current) in self.sources(to)

    def label(self, status: str) -> str:
        return str(self._labels.get(status, status))

    def error(self, current: str, to: str) -> IllegalTransition:
        message = gettext("Não é possível passar de “%(current)s” para “%(target)s”.") % {
            "current": self.label(current),
            "target": self.label(to),
        }
        return IllegalTransition(message, current=str(current), target=str(to))

    def check(self, current: str, to: str) -> None:
        """Raises IllegalTransition unless `current` → `to` is allowed (a read-only pre-check; the
        conditional UPDATE of `apply` is what decides under concurrency)."""
        if not self.allows(current, to):
            raise self.error(current, to)

    def apply(self, target: Target, pk: Any = None, *, to: str, **fields: Any) -> bool:
        if not self.sources(to):
            raise ValueError(f"no move to {to!r} declared for {self.model.__name__}.{self.field}")
        return transition(target, pk, from_statuses=self.sources(to), to=to, field=self.field, **fields)

    def apply_or_raise(self, instance: models.Model, *, to: str, **fields: Any) -> None:
        """`apply` on an instance; IllegalTransition (naming the status that is there now) when it lost."""
        if not self.apply(instance, to=to, **fields):
            raise self.error(getattr(instance, self.field), to)
