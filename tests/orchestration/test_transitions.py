"""The one conditional-UPDATE transition helper and the declarative status machine built on it."""

from collections.abc import Iterator

import pytest
from django.db.models import F
from django.utils import translation

from orchestration.exceptions import OrchestraError
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.executions import EXECUTION_MACHINE, execution_create
from orchestration.services.transitions import IllegalTransition, StatusMachine, transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portuguese() -> Iterator[None]:
    with translation.override("pt-br"):
        yield


QUEUED, RUNNING, CANCELLED = ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.CANCELLED


def test_a_winning_transition_writes_the_row_and_the_instance() -> None:
    execution = execution_create(kind="TEST")

    assert transition(execution, from_statuses=[QUEUED], to=RUNNING, error_type="x")

    assert execution.status == RUNNING and execution.error_type == "x"
    assert Execution.objects.values_list("status", "error_type").get(pk=execution.pk) == (RUNNING, "x")


def test_a_lost_transition_changes_nothing_and_shows_the_winner() -> None:
    execution = execution_create(kind="TEST")
    Execution.objects.filter(pk=execution.pk).update(status=CANCELLED)  # another writer got there first

    assert not transition(execution, from_statuses=[QUEUED, RUNNING], to=RUNNING, error="late")

    assert execution.status == CANCELLED and execution.error == ""
    assert Execution.objects.get(pk=execution.pk).error == ""


def test_by_model_and_pk_only_the_row_changes() -> None:
    execution = execution_create(kind="TEST")

    assert transition(Execution, execution.pk, from_statuses=[QUEUED], to=RUNNING)
    assert not transition(Execution, execution.pk, from_statuses=[QUEUED], to=RUNNING)

    assert execution.status == QUEUED  # the caller's copy is not the helper's business in this form
    assert Execution.objects.get(pk=execution.pk).status == RUNNING


def test_a_queryset_narrows_which_rows_may_move() -> None:
    execution = execution_create(kind="TEST")
    other_kinds = Execution.objects.exclude(kind="TEST")

    assert not transition(other_kinds, execution.pk, from_statuses=[QUEUED], to=RUNNING)
    assert Execution.objects.get(pk=execution.pk).status == QUEUED


def test_expressions_are_read_back_after_a_win() -> None:
    execution = execution_create(kind="TEST")

    assert transition(execution, from_statuses=[QUEUED], to=RUNNING, attempt=F("attempt") + 1)

    assert execution.attempt == 2


def test_the_machine_refuses_a_move_it_does_not_declare_with_a_domain_error() -> None:
    with pytest.raises(IllegalTransition) as raised:
        EXECUTION_MACHINE.check(ExecutionStatus.SUCCEEDED, RUNNING)

    assert isinstance(raised.value, OrchestraError)  # the API answers it with 409
    assert str(raised.value) == "Não é possível passar de “Concluída” para “Em execução”."
    assert (raised.value.current, raised.value.target) == (ExecutionStatus.SUCCEEDED, RUNNING)


def test_apply_or_raise_names_the_status_that_won() -> None:
    execution = execution_create(kind="TEST")
    Execution.objects.filter(pk=execution.pk).update(status=CANCELLED)

    with pytest.raises(IllegalTransition, match="Cancelada"):
        EXECUTION_MACHINE.apply_or_raise(execution, to=ExecutionStatus.SUCCEEDED)


def test_the_machine_derives_the_from_statuses_of_the_update() -> None:
    machine = StatusMachine(Execution, {RUNNING: [QUEUED]})
    execution = execution_create(kind="TEST")

    assert machine.allows(QUEUED, RUNNING) and not machine.allows(CANCELLED, RUNNING)
    assert machine.apply(execution, to=RUNNING)
    assert not machine.apply(execution, to=RUNNING)
    with pytest.raises(ValueError, match="no move"):
        machine.apply(execution, to=CANCELLED)


def test_a_machine_naming_an_unknown_status_does_not_build() -> None:
    with pytest.raises(ValueError, match="DONE"):
        StatusMachine(Execution, {"DONE": [QUEUED]})
