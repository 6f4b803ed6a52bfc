"""Domain errors shared by every app."""


class OrchestraError(Exception):
    """Base of our domain errors; the API maps them to 4xx, never 500."""


class TransientError(OrchestraError):
    """A failure worth retrying later (network, 5xx, rate limit)."""


class ExecutionCancelled(OrchestraError):
    """Raised at a checkpoint when someone cancelled the running execution."""


class ValidationFailed(OrchestraError):
    """Input that cannot be processed as given; the message says what and where."""


class LockLost(OrchestraError):
    """The no-overlap lock expired while the job ran and another run took it."""
