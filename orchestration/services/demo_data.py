"""The demo data set of `make run`: one user per role, then each app's demo history (real runs).

Idempotent: users are matched by e-mail, and every app's writer starts nothing when its history is
already there. Never meant for production (the command refuses).
"""

from dataclasses import dataclass

from django.db import transaction

from orchestration.models import Role, User
from orchestration.registries.demo import DemoContext, demo_writers

DEMO_PASSWORD = "orquestra-demo"  # noqa: S105 - a documented demo password, local installations only
DEMO_USERS: list[tuple[str, str, str]] = [
    (Role.ADMINISTRATOR, "admin.demo@orquestra.local", "Ana Administradora (demo)"),
    (Role.APPROVER, "aprovador.demo@orquestra.local", "Bruno Aprovador (demo)"),
    (Role.OPERATOR, "operador.demo@orquestra.local", "Carla Operadora (demo)"),
]


@dataclass(frozen=True)
class DemoDataLoaded:
    users_created: list[User]
    history: list[str]  # one line per app that started demo runs


def _demo_users() -> tuple[list[User], dict[str, User]]:
    created, by_role = [], {}
    for role, email, name in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name, role=role)
            created.append(user)
        by_role[str(role)] = user
    return created, by_role


def demo_data_load() -> DemoDataLoaded:
    with transaction.atomic():
        users_created, by_role = _demo_users()
        context = DemoContext(users=by_role)
        history = [line for writer in demo_writers().values() if (line := writer(context))]
    return DemoDataLoaded(users_created=users_created, history=history)
