"""Backups: a dump and the uploaded files of a database with a paid deal and a candidate's CV
restore into a fresh database with the same rows in every table and the same bytes.

The backup is made from a copy of the test database (the demo site) to which committed data is
added by another process, as the site commits it: pg_dump reads committed rows only, and the
test database itself is shared with the rest of the suite. Backup and restore run in their own
processes, with the test settings, on their own databases and media folders.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from marketplace.ops.backups import BackupError, backup_create
from search.client import get_client
from tests.conftest import admin_dsn, database_copy, database_url_for

# Marked so that the test database is set up; these tests write only to databases of their own
# (through their own connections), made before each test's transaction begins.
pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def build_a_paid_deal_and_a_graduate_application(cv: bytes) -> None:
    """Run in the source database's process: a signed contract with a milestone paid on the
    Stripe emulator (payments, ledger), and a graduate's profile and application with a CV."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cms.models import JobPostingPage
    from marketplace.jobs.services import application_create, candidate_profile_save
    from payments.services import local_test_payment_confirm, milestone_payment_start
    from tests.factories import UserFactory, due_milestone

    buyer, _provider, milestone = due_milestone()
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    assert local_test_payment_confirm(payment=payment).status == "succeeded"

    graduate = UserFactory(email_verified=True)
    upload = SimpleUploadedFile("cv.pdf", cv, content_type="application/pdf")
    candidate_profile_save(user=graduate, full_name="Li Na", degree="master",
                           school="Fudan University", graduation_year=timezone.localdate().year,
                           languages=["zh", "en"], cv=upload)  # fmt: skip
    posting = JobPostingPage.objects.live().filter(level="graduate").first()
    application_create(posting=posting, candidate=graduate, cover_note="Hello")


def dsn(database: str) -> str:
    return admin_dsn(connection.settings_dict, database)


def database_url(database: str) -> str:
    return database_url_for({**connection.settings_dict, "NAME": database})


def table_counts(database: str) -> dict[str, int]:
    """The number of rows of every table, read by a connection of its own."""
    with psycopg.connect(dsn(database), autocommit=True) as reader:
        tables = [row[0] for row in reader.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]  # fmt: skip
        return {
            table: reader.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def django_process(
    code: str, *, database: str, files: Path, index_prefix: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``code`` in a new process with Django set up on ``database`` (the test settings) and
    media folders ``files/media`` and ``files/private-media``.

    The test settings fix the media folders, which other tests share; they are replaced here
    before Django loads the models, whose file fields take the private storage at that moment.
    """
    media, private = str(files / "media"), str(files / "private-media")
    prelude = (
        "from django.conf import settings\n"
        f"settings.MEDIA_ROOT = {media!r}\n"
        f"settings.PRIVATE_MEDIA_ROOT = {private!r}\n"
        "settings.STORAGES = {**settings.STORAGES, 'private': {'BACKEND': "
        "'django.core.files.storage.FileSystemStorage', "
        f"'OPTIONS': {{'location': {private!r}, 'base_url': None}}}}}}\n"
        "import django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": database_url(database),
        "ELASTICSEARCH_INDEX_PREFIX": index_prefix or settings.ELASTICSEARCH_INDEX_PREFIX,
    }
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@dataclass
class Backup:
    manifest: Path
    counts: dict[str, int]  # every table of the source database when it was backed up
    cv: Path  # the candidate's CV, relative to the private media folder
    cv_bytes: bytes  # what the candidate uploaded
    output: str


@pytest.fixture(scope="module")
def backup(django_db_setup, tmp_path_factory) -> Iterator[Backup]:
    """A backup, made by ``manage.py backup``, of a copy of the test database with a paid deal
    and a graduate's application added. The copy is dropped at the end."""
    with database_copy("backup") as source:
        yield from _backup_of(source, tmp_path_factory)


def _backup_of(source: str, tmp_path_factory) -> Iterator[Backup]:
    folder = tmp_path_factory.mktemp("backup")
    cv_bytes = b"%PDF-1.7\n% " + uuid.uuid4().hex.encode() + b"\ntrailer <<>>\n%%EOF\n"
    succeeded(django_process(
        "from tests.marketplace.test_backups import "
        "build_a_paid_deal_and_a_graduate_application\n"
        f"build_a_paid_deal_and_a_graduate_application({cv_bytes!r})\n",
        database=source, files=folder / "source",
    ))  # fmt: skip
    counts = table_counts(source)
    output = succeeded(django_process(
        f"call_command('backup', '--to', {str(folder / 'backups')!r})\n",
        database=source, files=folder / "source",
    ))  # fmt: skip
    [manifest] = (folder / "backups").glob("*/manifest.json")
    private = folder / "source" / "private-media"
    [cv] = (private / "cvs").rglob("*.pdf")
    assert cv.read_bytes() == cv_bytes
    yield Backup(manifest=manifest, counts=counts, cv=cv.relative_to(private),
                 cv_bytes=cv_bytes, output=output)  # fmt: skip


@pytest.fixture
def fresh_database(django_db_setup):
    """An empty database (no tables), dropped at the end."""
    with database_copy("restore", template="template0") as name:
        yield name


def restore(
    path: Path, *options: str, database: str, files: Path, index_prefix: str | None = None
) -> subprocess.CompletedProcess:
    arguments = ", ".join(repr(argument) for argument in (str(path), *options))
    return django_process(
        f"call_command('restore', {arguments})\n",
        database=database, files=files, index_prefix=index_prefix,
    )  # fmt: skip


def test_the_manifest_counts_the_rows_of_the_dump_and_the_files(backup):
    manifest = json.loads(backup.manifest.read_text())

    assert manifest["rows"] == {table: backup.counts[table] for table in manifest["rows"]}
    # What the source process committed is in the dump, not only the demo site.
    for table in ("contracting_contract", "payments_payment", "payments_ledgerentry",
                  "jobs_candidateprofile", "jobs_application"):  # fmt: skip
        assert manifest["rows"][table] >= 1, table
    # The CV and the application's copy of it; the deal's framework agreement and statement of
    # work (issued when its quote was accepted), its paid milestone's invoice and receipt.
    assert manifest["files"]["private-media"]["files"] == 6
    assert manifest["pg_dump_version"].startswith("pg_dump (PostgreSQL) ")
    assert sorted(path.name for path in backup.manifest.parent.iterdir()) == [
        "database.dump", "files.tar.gz", "manifest.json",
    ]  # fmt: skip
    assert "Backup written to" in backup.output


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    backup, fresh_database, tmp_path
):
    output = succeeded(restore(backup.manifest, database=fresh_database, files=tmp_path))

    assert table_counts(fresh_database) == backup.counts
    assert (tmp_path / "private-media" / backup.cv).read_bytes() == backup.cv_bytes
    assert "Counts match the manifest" in output
    assert "manage.py search_reindex" in output


def test_a_restore_refuses_tables_without_clean_and_fails_on_a_damaged_backup(
    backup, fresh_database, tmp_path
):
    files = tmp_path / "files"
    succeeded(restore(backup.manifest, database=fresh_database, files=files))

    refused = restore(backup.manifest.parent, database=fresh_database, files=files)
    assert refused.returncode != 0
    assert "already has" in refused.stderr and "--clean" in refused.stderr

    miscounted = Path(shutil.copytree(backup.manifest.parent, tmp_path / "miscounted"))
    manifest = json.loads((miscounted / "manifest.json").read_text())
    contracts = manifest["rows"]["contracting_contract"]
    manifest["rows"]["contracting_contract"] = contracts + 1
    (miscounted / "manifest.json").write_text(json.dumps(manifest))
    failed = restore(miscounted / "database.dump", "--clean", database=fresh_database, files=files)
    assert failed.returncode != 0
    assert (
        f"contracting_contract: {contracts + 1} in the backup, {contracts} restored"
        in failed.stderr
    )

    damaged = Path(shutil.copytree(backup.manifest.parent, tmp_path / "damaged"))
    with open(damaged / "database.dump", "r+b") as dump:
        dump.seek(-1, os.SEEK_END)
        last = dump.read(1)
        dump.seek(-1, os.SEEK_END)
        dump.write(bytes([last[0] ^ 0xFF]))
    failed = restore(damaged, "--clean", database=fresh_database, files=files)
    assert failed.returncode != 0
    assert "does not match its checksum" in failed.stderr

    assert table_counts(fresh_database) == backup.counts  # --clean replaces, never adds


def test_a_restore_with_reindex_rebuilds_the_search_indexes_from_the_restored_database(
    backup, fresh_database, tmp_path
):
    prefix = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-restore"
    client = get_client()
    try:
        output = succeeded(restore(backup.manifest, "--reindex", database=fresh_database,
                                   files=tmp_path, index_prefix=prefix))  # fmt: skip

        for name in ("services", "jobs", "providers"):
            assert f"{prefix}-{name} -> " in output
            client.indices.refresh(index=f"{prefix}-{name}")
            assert client.count(index=f"{prefix}-{name}")["count"] > 0, name
    finally:
        built = client.indices.get(index=f"{prefix}-*", ignore_unavailable=True)
        if built:
            client.indices.delete(index=",".join(built))


def test_a_backup_of_sqlite_is_refused():
    with pytest.raises(BackupError, match="uses django.db.backends.sqlite3"):
        backup_create(
            destination=Path("unused"),
            database={"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"},
        )


def test_a_missing_pg_dump_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        call_command("backup", "--to", str(tmp_path / "backups"))
    assert not (tmp_path / "backups").exists()


def test_a_failing_pg_dump_says_why_and_leaves_no_backup(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 15.0"; exit 0; fi\n'
        f'echo "$@" > {tmp_path}/arguments\n'
        f'echo "$PGPASSWORD" > {tmp_path}/password\n'
        "echo 'pg_dump: error: permission denied for table payments_payment' >&2\n"
        "exit 1\n"
    )
    (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")

    with pytest.raises(CommandError, match="permission denied for table payments_payment"):
        call_command("backup", "--to", str(tmp_path / "backups"))
    assert list((tmp_path / "backups").iterdir()) == []
    # The password reaches pg_dump in its environment, never on its command line.
    assert (tmp_path / "password").read_text().strip() == connection.settings_dict["PASSWORD"]
    arguments = (tmp_path / "arguments").read_text().split()
    assert [argument.split("=")[0] for argument in arguments] == [
        "--format", "--snapshot", "--file", "--host", "--port", "--username", "--no-password",
        "--dbname",
    ]  # fmt: skip
    assert arguments[-1] == f"--dbname={connection.settings_dict['NAME']}"
