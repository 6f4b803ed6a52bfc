# Production image: the Procfile's processes on python:3.11-slim. See README "Production deployment".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    ORQUESTRA_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/media

WORKDIR /app

# pg_dump and pg_restore for the database backups (`backup_database`, `restore_backup`); Debian's client is
# at least as new as the compose stack's PostgreSQL 16, and pg_dump reads older servers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# Requirements first, so that a code change reuses the installed layer.
COPY requirements/ requirements/
RUN pip install -r requirements/production.txt

COPY . .

# collectstatic loads the production settings, which refuse to start without secrets and services: these
# throwaway values live only in this build step, are never contacted, and are not kept in the image.
RUN SECRET_KEY=build-only-collectstatic-not-a-secret-0123456789 \
    FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    CELERY_BROKER_URL=redis://127.0.0.1:1/1 \
    REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home-dir /app orquestra \
 && mkdir -p /app/var /app/media \
 && chown -R orquestra /app/var /app/media

# `procfile NAME` runs one process type of the Procfile as PID 1, so that `docker stop` signals gunicorn or
# Celery directly (honcho would kill a worker that is still finishing its tasks after 5 s).
RUN printf '%s\n' \
    '#!/bin/sh' \
    'line=$(grep "^$1:" /app/Procfile) || { echo "no process type \"$1\" in /app/Procfile" >&2; exit 64; }' \
    'exec sh -c "exec ${line#*:}"' \
    > /usr/local/bin/procfile \
 && chmod 755 /usr/local/bin/procfile

USER orquestra
EXPOSE 8000
CMD ["procfile", "web"]
