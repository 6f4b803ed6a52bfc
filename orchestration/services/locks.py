"""The no-overlap lock: Redis when configured, the database otherwise. Every lock expires."""

from datetime import timedelta
from functools import lru_cache
from typing import Protocol

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from orchestration.models import JobLock

# Re-entrant for the same owner, so a task redelivered after its worker died can take back its own lock.
_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LockBackend(Protocol):
    def acquire(self, key: str, owner: str, ttl_seconds: int) -> bool: ...

    def release(self, key: str, owner: str) -> None: ...


class RedisLockBackend:
    prefix = "orquestra:lock:"

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._release = self.client.register_script(_RELEASE)

    def acquire(self, key: str, owner: str, ttl_seconds: int) -> bool:
        return bool(self._acquire(keys=[self.prefix + key], args=[owner, int(ttl_seconds * 1000)]))

    def release(self, key: str, owner: str) -> None:
        self._release(keys=[self.prefix + key], args=[owner])


class DatabaseLockBackend:
    def acquire(self, key: str, owner: str, ttl_seconds: int) -> bool:
        now = timezone.now()
        expires_at = now + timedelta(seconds=ttl_seconds)
        taken = JobLock.objects.filter(Q(key=key) & (Q(expires_at__lte=now) | Q(owner=owner))).update(
            owner=owner, expires_at=expires_at
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                JobLock.objects.create(key=key, owner=owner, expires_at=expires_at)
        except IntegrityError:
            return False
        return True

    def release(self, key: str, owner: str) -> None:
        JobLock.objects.filter(key=key, owner=owner).delete()


@lru_cache(maxsize=4)
def _redis_backend(url: str) -> RedisLockBackend:
    return RedisLockBackend(url)


def lock_backend() -> LockBackend:
    if settings.REDIS_URL:
        return _redis_backend(settings.REDIS_URL)
    return DatabaseLockBackend()


def lock_acquire(*, key: str, owner: str, ttl_seconds: int) -> bool:
    return lock_backend().acquire(key, owner, ttl_seconds)


def lock_release(*, key: str, owner: str) -> None:
    lock_backend().release(key, owner)
