"""The project's private PostgreSQL cluster, used whenever ``DATABASE_URL`` is not set.

The cluster lives under ``var/`` in the project directory, listens on its own port on 127.0.0.1
and on its own socket directory, and is created with ``--locale=C.UTF-8`` (with locale ``C``
``pg_trgm`` finds no trigrams in Chinese text). PostgreSQL refuses to run as root, so when this
runs as root every server command runs as the ``postgres`` user.

Run ``python -m registry.devdb start|stop|status`` by hand, or ``run -- COMMAND`` to run a
command against the cluster and stop it afterwards if it was not running before;
``manage.py`` and the test suite call :func:`ensure_running` themselves.
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var"
DATA_DIR = VAR_DIR / "pgdata"
SOCKET_DIR = VAR_DIR / "pgsock"
LOG_FILE = VAR_DIR / "postgres.log"
# Below Linux's ephemeral range (32768-60999), so that no client connection of this machine
# (a load run opens thousands) can be holding the port when the cluster starts.
PORT = int(os.environ.get("REGISTRY_PG_PORT", "25432"))
DB_NAME = "registry"
DB_USER = "postgres"
SERVER_USER = "postgres"


def connection_settings():
    """Django ``DATABASES['default']`` entries for the private cluster."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": DB_USER,
        "HOST": str(SOCKET_DIR),
        "PORT": str(PORT),
    }


def database_url(name=DB_NAME):
    """A ``DATABASE_URL`` for database ``name`` of the private cluster (through its socket)."""
    from urllib.parse import quote

    return f"postgres://{DB_USER}@{quote(str(SOCKET_DIR), safe='')}:{PORT}/{name}"


def bindir():
    """The directory of the PostgreSQL binaries (newest installed major version)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if candidates:
        return Path(candidates[-1])
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    sys.exit("PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BINDIR.")


def _as_root():
    return os.geteuid() == 0


def _server_cmd(*args):
    """A command line that runs a server binary as the right user."""
    cmd = [str(bindir() / args[0]), *args[1:]]
    if _as_root():
        return ["runuser", "-u", SERVER_USER, "--", *cmd]
    return cmd


def _run(*args, check=True, quiet=False):
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(_server_cmd(*args), check=check, stdout=out, stderr=out)


def _make_traversable(path):
    """Let the postgres user reach ``path``: add the search bit to ancestors that lack it."""
    entry = pwd.getpwnam(SERVER_USER)
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            print(f"devdb: allowing {SERVER_USER} to traverse {parent}", file=sys.stderr)
            parent.chmod(mode | 0o001)
    for directory in (DATA_DIR, SOCKET_DIR):
        os.chown(directory, entry.pw_uid, entry.pw_gid)


def initialised():
    return (DATA_DIR / "PG_VERSION").exists()


def init():
    """Create the cluster if it does not exist yet."""
    if initialised():
        return
    VAR_DIR.mkdir(exist_ok=True)
    DATA_DIR.mkdir(mode=0o700, exist_ok=True)
    SOCKET_DIR.mkdir(exist_ok=True)
    if _as_root():
        _make_traversable(DATA_DIR)
    _run(
        "initdb",
        "-D",
        str(DATA_DIR),
        "--locale=C.UTF-8",
        "--encoding=UTF8",
        "--auth=trust",
        f"--username={DB_USER}",
        quiet=True,
    )
    with open(DATA_DIR / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# Transparency Registry private cluster\n"
            f"port = {PORT}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{SOCKET_DIR}'\n"
            "max_connections = 200\n"
            "shared_buffers = 256MB\n"
        )


def running():
    return _run("pg_ctl", "-D", str(DATA_DIR), "status", check=False, quiet=True).returncode == 0


def start():
    init()
    if running():
        return
    if _as_root():
        LOG_FILE.touch()
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(LOG_FILE, entry.pw_uid, entry.pw_gid)
    for attempt in range(4):  # a port in use may be on its way to being released
        if attempt:
            time.sleep(2)
        result = _run(
            "pg_ctl",
            "-D",
            str(DATA_DIR),
            "-l",
            str(LOG_FILE),
            "-o",
            f"-p {PORT}",  # the port of this checkout's settings, whatever initdb wrote
            "-w",
            "-t",
            "60",
            "start",
            check=False,
            quiet=True,
        )
        if result.returncode == 0:
            return
    if result.returncode != 0:
        sys.exit(
            f"devdb: PostgreSQL did not start; see {LOG_FILE} (if port {PORT} is taken, "
            "choose another with REGISTRY_PG_PORT)"
        )


def stop():
    if initialised() and running():
        _run("pg_ctl", "-D", str(DATA_DIR), "-m", "fast", "-w", "stop", quiet=True)


def create_database():
    """Create the registry database (with pg_trgm available) if missing."""
    import psycopg2

    for attempt in range(50):
        try:
            conn = psycopg2.connect(
                dbname="postgres", user=DB_USER, host=str(SOCKET_DIR), port=PORT
            )
            break
        except psycopg2.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.1)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def ensure_running():
    """Create, start and prepare the private cluster as needed; cheap when already up."""
    if not (SOCKET_DIR / f".s.PGSQL.{PORT}").exists() or not running():
        start()
    create_database()


def run(command):
    """Run ``command`` against the private cluster, starting it if needed and stopping it
    afterwards if this call started it (so a test run leaves no server behind)."""
    if os.environ.get("DATABASE_URL"):
        return subprocess.run(command).returncode
    was_running = initialised() and running()
    ensure_running()
    try:
        return subprocess.run(command).returncode
    finally:
        if not was_running:
            stop()


def main(argv):
    command = argv[1] if len(argv) > 1 else "status"
    if command == "run":
        sys.exit(run(argv[argv.index("--") + 1 :] if "--" in argv else argv[2:]))
    if command == "start":
        ensure_running()
        print(f"private PostgreSQL running: socket {SOCKET_DIR}, port {PORT}")
    elif command == "stop":
        stop()
        print("private PostgreSQL stopped")
    elif command == "status":
        print("running" if initialised() and running() else "stopped")
    else:
        sys.exit("usage: python -m registry.devdb start|stop|status|run -- COMMAND")


if __name__ == "__main__":
    main(sys.argv)
