import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup(set_prefix=False)

# Django's handler, minus a parked thread per open live-log stream (see orchestration/live/asgi.py).
from orchestration.live.asgi import StreamAwareASGIHandler  # noqa: E402

application = StreamAwareASGIHandler()
