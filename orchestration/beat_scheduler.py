"""Beat's scheduler: django-celery-beat's DatabaseScheduler with a change detection that misses nothing.

Upstream compares PeriodicTasks.last_update with the value it saw at its previous check and takes the
first value it sees as the baseline (`ts > (last or ts)`). That first value is read at the first check,
after the initial read of the rows, so an edit saved in between — an administrator or `setup_schedules`
writing while beat starts — becomes the baseline and is not applied until the forced full re-read five
minutes later. Here the baseline is read just before every full read of the rows, and a marker that
appears where there was none counts as a change.
Start beat with `-S orchestration.beat_scheduler:DatabaseScheduler` (also CELERY_BEAT_SCHEDULER).
"""

import contextlib
import logging
from typing import Any

from django.db import DatabaseError, InterfaceError, close_old_connections, transaction
from django_celery_beat import schedulers

logger = logging.getLogger(__name__)


class DatabaseScheduler(schedulers.DatabaseScheduler):
    def all_as_schedule(self) -> dict[str, Any]:
        # Read the marker before the rows: an edit after this point is seen at the next check, and one
        # before it is already in the rows read below.
        try:
            self._last_timestamp = self.Changes.last_change()
        except (DatabaseError, InterfaceError):
            logger.warning("DatabaseScheduler: could not read the change marker; will compare at next check")
        return super().all_as_schedule()

    def schedule_changed(self) -> bool:
        try:
            close_old_connections()
            # As upstream: a transaction left open would keep showing the old marker.
            with contextlib.suppress(transaction.TransactionManagementError):
                transaction.commit()
            current = self.Changes.last_change()
        except (DatabaseError, InterfaceError):
            logger.warning("DatabaseScheduler: database error while checking for changes", exc_info=True)
            return False
        if current is None:
            return False
        changed = self._last_timestamp is None or current > self._last_timestamp
        self._last_timestamp = current
        return changed
