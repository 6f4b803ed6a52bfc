"""Incoming webhooks (Slack, Microsoft Teams and the many that copy them): POST {"text": "..."}.

One attempt per call: a failed delivery is retried by the notification's own backoff (services.notifications),
which records every attempt. The URL is a secret (it carries the token): the base client redacts it."""

from urllib.parse import urlsplit

from django.conf import settings

from orchestration.outbound import BaseClient


class WebhookClient(BaseClient):
    service_name = "webhook"

    def __init__(self, *, url: str, timeout_seconds: float | None = None) -> None:
        timeout = settings.NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
        super().__init__(base_url=url, timeout=(timeout, timeout), max_attempts=1, secrets=[webhook_secret(url)])

    def post_text(self, text: str) -> None:
        """Sends `text`; raises one of orchestration.outbound's typed errors when the receiver did not take it."""
        self.request("POST", "", json={"text": text}, retry=False)


def webhook_secret(url: str) -> str:
    """The part of a webhook URL that grants access (path and query); the host stays readable in errors."""
    parts = urlsplit(url)
    secret = parts.path + (f"?{parts.query}" if parts.query else "")
    return secret if len(secret) > 1 else url
