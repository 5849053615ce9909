"""Backups of the registry's database: ``pg_dump`` in its custom format, and ``pg_restore``
in one transaction followed by a check of the audit chain (``make backup`` / ``make
restore``, docs/operations.md).

A dump is one consistent snapshot (``pg_dump`` reads in a single repeatable-read
transaction), so the audit chain in it is whole up to its last entry. A restore replaces
every object of the database by the dump's (``--clean``) and either succeeds whole or leaves
the database as it was; it then walks the chain (:func:`registry.audit.verify_chain`) and
fails if an entry is missing or altered."""

import datetime
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

from registry import devdb

BACKUP_DIR = devdb.VAR_DIR / "backups"


class BackupError(Exception):
    pass


def _libpq_environment(alias="default"):
    """The environment that points libpq's tools at Django's database ``alias``."""
    database = settings.DATABASES[alias]
    environment = {**os.environ, "PGDATABASE": database["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _run(tool, *arguments, alias="default"):
    command = [str(devdb.bindir() / tool), *arguments]
    result = subprocess.run(
        command, env=_libpq_environment(alias), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def default_path(now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    return BACKUP_DIR / f"registry-{now:%Y%m%dT%H%M%SZ}.dump"


def dump(path=None, alias="default"):
    """Write the database to ``path`` (a new file; by default under ``var/backups/``) and
    return the path. The file is written beside and renamed into place, so a failed dump
    leaves nothing that looks like a backup."""
    path = Path(path) if path else default_path()
    if path.exists():
        raise BackupError(f"{path} exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        _run("pg_dump", "--format=custom", "--no-owner", f"--file={partial}", alias=alias)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path, alias="default"):
    """Replace the database's contents by the dump at ``path``, in one transaction, and
    check the audit chain. Returns the number of audit entries. Stop the servers first:
    the restore waits for every other session's locks."""
    from registry.audit import verify_chain
    from registry.models import AuditEntry

    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup")
    connections[alias].close()
    _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={settings.DATABASES[alias]['NAME']}",
        str(path),
        alias=alias,
    )
    if AuditEntry._meta.db_table not in connections[alias].introspection.table_names():
        raise BackupError("restored, but the backup holds no registry: it has no audit log")
    problem = verify_chain()
    if problem is not None:
        seq, what = problem
        raise BackupError(f"restored, but the audit chain is broken at entry #{seq}: {what}")
    return AuditEntry.objects.count()
