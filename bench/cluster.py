"""A throwaway PostgreSQL cluster for the load and fault runs: created in a directory of its
own (a temporary one by default) on a free port of 127.0.0.1, with trust authentication, so
that a run can stop and start *its* server without touching the project's private cluster
(``registry.devdb``, ``var/pgdata``) or a shared server. As root, every server command runs
as the ``postgres`` user, as :mod:`registry.devdb` does.

    with Cluster() as cluster:          # initdb + start; stopped and removed on exit
        url = cluster.create_database("registry")
        cluster.restart(outage=3.0)     # fast shutdown, 3 s down, start again
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from registry import devdb


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, directory=None, port=None):
        self.owned = directory is None
        self.root = Path(directory or tempfile.mkdtemp(prefix="registry-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log = self.root / "postgres.log"
        self.port = port or free_port()

    def _run(self, *args, check=True):
        return subprocess.run(
            devdb._server_cmd(*args),
            check=check,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self):
        self.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self.log.touch()
        if os.geteuid() == 0:
            entry = pwd.getpwnam(devdb.SERVER_USER)
            self.root.chmod(0o755)
            for path in (self.root, self.data, self.socket_dir, self.log):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--locale=C.UTF-8",
            "--encoding=UTF8",
            "--auth=trust",
            f"--username={devdb.DB_USER}",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# throwaway cluster of bench/cluster.py\n"
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "max_connections = 100\n"
                "fsync = off\n"  # a throwaway: durability against power loss is not tested
            )

    def start(self):
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start; see {self.log}")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def running(self):
        status = self._run("pg_ctl", "-D", str(self.data), "status", check=False)
        return status.returncode == 0

    def restart(self, outage):
        """Stop the server (fast shutdown: sessions are cut), leave it down ``outage``
        seconds, start it again; the monotonic times ``(stopping, stopped, starting,
        started)``."""
        stopping = time.monotonic()
        self.stop()
        stopped = time.monotonic()
        time.sleep(outage)
        starting = time.monotonic()
        self.start()
        return stopping, stopped, starting, time.monotonic()

    def url(self, name):
        return f"postgres://{devdb.DB_USER}@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self):
        self.init()
        self.start()
        return self

    def __exit__(self, *exc):
        if self.running():
            self.stop(mode="immediate")
        if self.owned:
            shutil.rmtree(self.root, ignore_errors=True)
        return False
