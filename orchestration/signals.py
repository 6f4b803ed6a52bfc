"""Keeps a user's group equal to their role."""

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.dispatch import receiver

from orchestration.models import Role, User


@receiver(post_save, sender=User)
def sync_role_group(sender: type[User], instance: User, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    role_groups = Group.objects.filter(name__in=list(Role.values))
    wanted = Group.objects.filter(name=instance.role).first()
    current = set(instance.groups.filter(pk__in=role_groups).values_list("pk", flat=True))
    if wanted is not None and current == {wanted.pk}:
        return
    instance.groups.remove(*role_groups)
    if wanted is not None:
        instance.groups.add(wanted)


def sync_role_groups(sender: AppConfig, **kwargs: Any) -> None:
    # post_migrate fires once per app, each after its own permissions exist: act after the last one.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from orchestration.services.roles import roles_sync

    roles_sync()
