"""The operations console at `/`: where the team watches and acts (the admin stays the place for configuration).

Shared like the rest of orchestration: the apps put their tiles and health-grid rows on it through
orchestration.registries.console, so nothing here imports an app.
"""
