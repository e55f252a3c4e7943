"""gunicorn in production: ``gunicorn -c deploy/gunicorn.conf.py sns.wsgi``.

Every value can be changed from the environment (README › Configuration); the benchmark
(``bench/load.py``) and the two-server test start the site with this file, as production does.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short database reads; two per core and one more keeps both
# cores busy while some workers wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Behind a proxy that keeps connections open to the app servers.
keepalive = 5
# A worker is replaced after this many requests (with jitter, not all at once), which bounds
# the memory any slow leak could take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
# The proxy's address, whose X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Request line, status, bytes and the time taken in microseconds.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's control socket (``gunicornc``) is one path per user by default, so two servers
# on one machine would take each other's: each gets its own, or none.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None
