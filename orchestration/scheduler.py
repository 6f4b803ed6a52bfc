# Deprecated alias: the scheduler moved to orchestration.beat_scheduler. Deployments still start beat with
# `-S orchestration.scheduler:DatabaseScheduler`, so this name keeps working; use the new path in new configs.
from orchestration.beat_scheduler import DatabaseScheduler  # noqa: F401
