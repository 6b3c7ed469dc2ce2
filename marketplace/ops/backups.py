"""Backups of the PostgreSQL database and the uploaded files, and restoring them.

A backup is one folder, ``<database>-<UTC time>/``, holding three files:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database;
- ``files.tar.gz``: MEDIA_ROOT as ``media/`` and PRIVATE_MEDIA_ROOT (CVs, deal documents) as
  ``private-media/``;
- ``manifest.json``: when and from which database, the row counts of key tables (read in the
  very snapshot pg_dump copies), file counts, tool versions and the two files' SHA-256.

Elasticsearch is not in it: every index is rebuilt from the database (``search_reindex``).
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from psycopg import sql

DUMP_NAME = "database.dump"
ARCHIVE_NAME = "files.tar.gz"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1

# The tables whose row counts a restore must reproduce: who, the deals, the money, the job
# board, the pages and the files' records.
KEY_MODELS = (
    "accounts.Organisation",
    "accounts.User",
    "contracting.Rfq",
    "contracting.Quote",
    "contracting.Contract",
    "contracting.RfqAttachment",
    "payments.Payment",
    "payments.LedgerEntry",
    "jobs.CandidateProfile",
    "jobs.Application",
    "wagtailcore.Page",
    "wagtaildocs.Document",
    "wagtailimages.Image",
)

# libpq settings Django accepts in OPTIONS, passed to pg_dump and pg_restore as their variables.
LIBPQ_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslpassword": "PGSSLPASSWORD",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

Report = Callable[[str], object]


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


def default_backup_root() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


def backup_create(
    *,
    destination: Path,
    database: dict | None = None,
    report: Report = print,
) -> Path:
    """Back up the database (``database``: a DATABASES entry, by default the site's) and the
    media folders into one new folder under ``destination``; return its manifest's path.

    The database is dumped first, the files archived after: every file a dumped row names is in
    the archive unless it was deleted in between. A failed backup leaves no folder behind.
    """
    database = settings.DATABASES["default"] if database is None else database
    media_root, private_media_root = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    _require_postgresql(database, action="back up")
    pg_dump = _tool("pg_dump")
    pg_dump_version = _run([pg_dump, "--version"], environment=_environment(database)).strip()

    started = time.monotonic()
    created_at = datetime.now(UTC)
    name = f"{database['NAME']}-{created_at:%Y%m%dT%H%M%SZ}"
    folder = Path(destination) / name
    if folder.exists():
        raise BackupError(f"{folder} already exists; wait a second and try again.")
    partial = folder.with_name(f"{name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    # Backups hold everyone's private documents: readable by their owner only.
    partial.mkdir(mode=0o700, parents=True)
    try:
        report(f"Dumping database {database['NAME']} with {pg_dump_version} ...")
        dump = partial / DUMP_NAME
        with _connect(database) as connection:
            # pg_dump copies the snapshot of this transaction: the counts are those of the dump.
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            server_version = connection.execute("SHOW server_version").fetchone()[0]
            rows = _row_counts(connection, key_tables())
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
                 *_connection_arguments(database)],
                environment=_environment(database),
            )  # fmt: skip
        report(f"  {_size(dump)}, {time.monotonic() - started:.1f} s")

        report(f"Archiving {media_root} and {private_media_root} ...")
        archive = partial / ARCHIVE_NAME
        files = _archive_files(archive, {"media": media_root, "private-media": private_media_root})
        report(
            "  "
            + ", ".join(f"{root}: {count['files']} files" for root, count in files.items())
            + f"; {_size(archive)}"
        )

        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": created_at.isoformat(timespec="seconds"),
            "database": {
                "name": database["NAME"],
                "host": database.get("HOST") or "",
                "server_version": server_version,
            },
            "pg_dump_version": pg_dump_version,
            "rows": rows,
            "files": files,
            "dump": _file_facts(dump),
            "archive": _file_facts(archive),
            "seconds": round(time.monotonic() - started, 1),
        }
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    report("Rows: " + ", ".join(f"{table} {count}" for table, count in rows.items()))
    return folder / MANIFEST_NAME


def backup_restore(
    *,
    path: Path,
    clean: bool = False,
    database: dict | None = None,
    report: Report = print,
) -> dict:
    """Restore a backup (its folder, manifest or dump) into the database and the media folders,
    then check the row and file counts against the manifest; return the manifest.

    Refuses a database that has tables unless ``clean``: then the dump's objects are dropped and
    recreated. pg_restore runs in one transaction: if it fails, the database is left as it was.
    """
    database = settings.DATABASES["default"] if database is None else database
    media_root, private_media_root = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    manifest_path = manifest_find(Path(path))
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{manifest_path} is not a manifest this version can read.")
    _require_postgresql(database, action="restore into")
    pg_restore = _tool("pg_restore")
    folder = manifest_path.parent
    dump, archive = folder / manifest["dump"]["name"], folder / manifest["archive"]["name"]
    report(f"Checking {folder} ({manifest['database']['name']}, {manifest['created_at']}) ...")
    for part in (dump, archive):
        facts = manifest["dump"] if part == dump else manifest["archive"]
        if not part.is_file():
            raise BackupError(f"{part} is missing: the backup is incomplete.")
        if _sha256(part) != facts["sha256"]:
            raise BackupError(f"{part} does not match its checksum in the manifest: it is damaged.")

    started = time.monotonic()
    with _connect(database, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
    if tables and not clean:
        raise BackupError(
            f"The database {database['NAME']} already has {tables} tables. Restore into an "
            "empty database, or pass --clean to drop and replace what the dump contains."
        )
    report(f"Restoring {DUMP_NAME} into database {database['NAME']} ...")
    _run(
        [pg_restore, *_connection_arguments(database),
         # Objects belong to whoever restores: the site's role may have another name here.
         "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         *(["--clean", "--if-exists"] if clean else []), str(dump)],
        environment=_environment(database),
    )  # fmt: skip
    report(f"  {time.monotonic() - started:.1f} s")

    report(f"Restoring files into {media_root} and {private_media_root} ...")
    restored_files = _extract_files(
        archive, {"media": media_root, "private-media": private_media_root}
    )

    with _connect(database, autocommit=True) as connection:
        rows = _row_counts(connection, list(manifest["rows"]))
    differences = [
        f"{table}: {expected} in the backup, "
        + ("no such table" if rows[table] is None else f"{rows[table]} restored")
        for table, expected in manifest["rows"].items()
        if rows[table] != expected
    ] + [
        f"{root}/: {facts['files']} files in the backup, {restored_files.get(root, 0)} restored"
        for root, facts in manifest["files"].items()
        if restored_files.get(root, 0) != facts["files"]
    ]
    if differences:
        raise BackupError("The restore does not match the backup:\n  " + "\n  ".join(differences))
    report(
        f"Counts match the manifest ({len(rows)} tables, "
        f"{sum(restored_files.values())} files); {time.monotonic() - started:.1f} s in all."
    )
    return manifest


def manifest_find(path: Path) -> Path:
    """The manifest of the backup named by its folder, its manifest or its dump."""
    manifest = path / MANIFEST_NAME if path.is_dir() else path.with_name(MANIFEST_NAME)
    if not manifest.is_file():
        raise BackupError(
            f"No {MANIFEST_NAME} at {manifest}: name a backup folder made by `manage.py backup`, "
            "its manifest or its dump."
        )
    return manifest


def key_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in KEY_MODELS]


def _require_postgresql(database: dict, *, action: str) -> None:
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            f"Cannot {action} {database['NAME']}: backups are made with pg_dump and pg_restore, "
            f"for PostgreSQL, and this database uses {database['ENGINE']}. (The local SQLite "
            "demo: stop the server and copy its file, or rebuild it with `make run`.)"
        )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: apt-get install postgresql-client)."
        )
    return found


def _connection_arguments(database: dict) -> list[str]:
    arguments = []
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    # Never prompt for a password: fail instead.
    return [*arguments, "--no-password", f"--dbname={database['NAME']}"]


def _environment(database: dict) -> dict[str, str]:
    """The client tools' environment: the password and libpq options, never on a command line."""
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    for option, variable in LIBPQ_OPTION_VARIABLES.items():
        if option in database.get("OPTIONS", {}):
            environment[variable] = str(database["OPTIONS"][option])
    return environment


def _connect(database: dict, *, autocommit: bool = False) -> psycopg.Connection:
    parameters = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        **{
            option: value
            for option, value in database.get("OPTIONS", {}).items()
            if option in LIBPQ_OPTION_VARIABLES
        },
    }
    try:
        return psycopg.connect(
            **{key: value for key, value in parameters.items() if value is not None},
            autocommit=autocommit,
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to database {database['NAME']}: {error}") from error


def _run(command: list[str], *, environment: dict[str, str]) -> str:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit status {result.returncode}):\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


def _row_counts(connection: psycopg.Connection, tables: list[str]) -> dict[str, int | None]:
    """Rows in each table; None for a table that does not exist."""
    existing = {
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE tablename = ANY(%s)", [tables]
        )
    }
    return {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        if table in existing
        else None
        for table in tables
    }


def _archive_files(archive: Path, roots: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Write each folder into the archive under its name; return file counts and sizes."""
    counts = {}
    with tarfile.open(archive, "w:gz") as tar:
        for name, root in roots.items():
            files = [
                path
                for path in (root.rglob("*") if root.is_dir() else [])
                if path.is_file() and not path.is_symlink()
            ]
            counts[name] = {
                "files": len(files),
                "bytes": sum(path.stat().st_size for path in files),
            }
            if root.is_dir():
                tar.add(root, arcname=name)
    return counts


def _extract_files(archive: Path, roots: dict[str, Path]) -> dict[str, int]:
    """Put each folder of the archive back into its root (existing files with the same name are
    replaced, others kept); return how many files each received."""
    restored = dict.fromkeys(roots, 0)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            top, _, rest = member.name.partition("/")
            if top not in roots:
                raise BackupError(f"Unexpected entry in {archive.name}: {member.name}")
            if not rest:
                continue  # the root folder itself
            changes = {"name": rest}
            if member.islnk():  # a hard link names another member, under the same root
                changes["linkname"] = member.linkname.partition("/")[2]
            roots[top].mkdir(parents=True, exist_ok=True)
            # The "data" filter refuses absolute paths, "..", devices and links leaving the root.
            tar.extract(member.replace(**changes, deep=False), roots[top], filter="data")
            restored[top] += member.isfile()
    return restored


def _file_facts(path: Path) -> dict:
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1048576:.1f} MB"
