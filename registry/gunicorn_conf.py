"""gunicorn configuration used by ``make run`` (and by the benchmarks)."""

wsgi_app = "registry.wsgi:application"
worker_class = "sync"
timeout = 60
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
loglevel = "info"
control_socket_disable = True  # no per-user control socket under $HOME
