"""gunicorn settings for production: `gunicorn tracker.wsgi` reads this file from the working directory."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# The usual (2 × cores) + 1 sync workers: pages are short database-bound requests.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Load the app once in the master and fork workers from it: a recycled worker starts in milliseconds instead of
# re-importing Django (and the workers share the loaded code's memory).
preload_app = True
# Recycle workers now and then to bound memory growth (make bench: about 75 MB each, flat), jittered widely so
# that under load they do not all hit the limit in the same second (make bench saw that with a jitter of 10%).
max_requests = 20000
max_requests_jitter = 10000
accesslog = "-"
errorlog = "-"
# Link tokens (/followup/<token>/, /mentor/<token>/) never reach the log (tracker/access_log.py).
logger_class = "tracker.access_log.RedactingLogger"
access_log_format = '{"time":"%(t)s","remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":%(b)s,"ms":%(M)s}'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, before the first fork: warm what every worker would otherwise warm on its own."""
    from django.conf import settings

    if server.cfg.preload_app and settings.configured:  # the Django app, loaded in the master
        from tracker.warmup import freeze_loaded_objects, warm_up

        warm_up()
        freeze_loaded_objects()


def post_worker_init(worker):
    """In each new worker, before its first request: open its database connection."""
    from django.conf import settings

    if settings.configured:
        from tracker.warmup import warm_worker

        warm_worker()
