"""How many task messages wait in the broker, per queue the app sends to.

Redis keeps a queue as a list (plus one list per priority step, `<queue>\\x06\\x16<step>`); the embedded
file-system broker keeps one file per message in its in-folder, named `<time>_<uuid>.<queue>.msg`."""

import os
from urllib.parse import urlsplit

import redis
from celery import current_app
from django.conf import settings

# kombu's Redis transport: a message sent with a priority goes to one of these lists beside the queue's own.
_REDIS_PRIORITY_SEPARATOR = "\x06\x16"
_REDIS_PRIORITY_STEPS = (3, 6, 9)
_REDIS_TIMEOUT_SECONDS = 2.0


class BrokerUnavailable(Exception):
    pass


def routed_queues() -> list[str]:
    """The default queue, the declared queues and every queue named in the task routes."""
    conf = current_app.conf
    names = {conf.task_default_queue or "celery"}
    for queue in conf.task_queues or ():
        names.add(getattr(queue, "name", str(queue)))
    routes = conf.task_routes
    for route in routes.values() if isinstance(routes, dict) else ():
        queue = route.get("queue") if isinstance(route, dict) else None
        if queue:
            names.add(getattr(queue, "name", str(queue)))
    return sorted(names)


def queue_lengths() -> dict[str, int]:
    """Messages waiting per queue; raises BrokerUnavailable when the broker does not answer."""
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme.split("+")[0]
    queues = routed_queues()
    if scheme == "filesystem":
        return _filesystem_lengths(queues)
    if scheme in {"redis", "rediss", "unix"}:
        return _redis_lengths(url, queues)
    return {}


def _filesystem_lengths(queues: list[str]) -> dict[str, int]:
    folder = str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""))
    counts = dict.fromkeys(queues, 0)
    try:
        names = os.listdir(folder)
    except OSError as error:
        raise BrokerUnavailable(str(error)) from error
    for name in names:
        queue = name.partition(".")[2].removesuffix(".msg")
        if queue in counts and name.endswith(".msg"):
            counts[queue] += 1
    return counts


def _redis_lengths(url: str, queues: list[str]) -> dict[str, int]:
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    client = redis.Redis.from_url(
        url, socket_timeout=_REDIS_TIMEOUT_SECONDS, socket_connect_timeout=_REDIS_TIMEOUT_SECONDS
    )
    try:
        pipeline = client.pipeline(transaction=False)
        for queue in queues:
            pipeline.llen(f"{prefix}{queue}")
            for step in _REDIS_PRIORITY_STEPS:
                pipeline.llen(f"{prefix}{queue}{_REDIS_PRIORITY_SEPARATOR}{step}")
        lengths = pipeline.execute()
    except redis.RedisError as error:
        raise BrokerUnavailable(str(error)) from error
    finally:
        client.close()
    per_queue = 1 + len(_REDIS_PRIORITY_STEPS)
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}
