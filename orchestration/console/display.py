"""How the console shows values the ledger stores raw: durations, and the object a row is about."""

from collections.abc import Iterable

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse

from orchestration.models import User


def duration_display(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".", ",")
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def admin_change_url(instance: models.Model | None, user: User) -> str:
    """The object's admin page when the admin has one and `user` may open it; "" otherwise."""
    if instance is None or type(instance) not in admin.site._registry:
        return ""
    opts = instance._meta
    if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    ):
        return ""
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
    except NoReverseMatch:
        return ""


def subjects_by_key(pairs: Iterable[tuple[int | None, str]]) -> dict[tuple[int, str], models.Model]:
    """The objects behind (content type id, object id) pairs, one query per type; ids that are not valid for
    the type's key, and objects deleted since, are simply absent."""
    wanted: dict[int, set[str]] = {}
    for type_id, object_id in pairs:
        if type_id is not None and object_id:
            wanted.setdefault(type_id, set()).add(object_id)
    found: dict[tuple[int, str], models.Model] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        keys = {}
        for object_id in ids:
            try:
                keys[model._meta.pk.to_python(object_id)] = object_id
            except (ValidationError, ValueError, TypeError):
                continue
        for pk, instance in model._default_manager.in_bulk(list(keys)).items():
            found[(type_id, keys[pk])] = instance
    return found
