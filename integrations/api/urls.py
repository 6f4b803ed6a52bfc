"""The integrations' API, one URL module per provider under its own prefix."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("movidesk/", include("integrations.movidesk.api.urls")),
    path("kommo/", include("integrations.kommo.api.urls")),
]
