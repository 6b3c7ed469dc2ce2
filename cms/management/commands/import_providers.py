import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.importer import BUNDLE, ImportReport, providers_import

# The exit status: scripts tell a clean run from a partial one from a failed one.
EVERYTHING_LOADED = 0
NOTHING_LOADED = 1  # also a missing or unreadable file (Django's CommandError default)
RECORDS_SKIPPED = 3  # 2 is argparse's, for a wrong command line


class Command(BaseCommand):
    help = (
        "Create or update providers, their service, TCM and job pages from a provider bundle "
        "(docs/provider-bundle.schema.json). A service or job with a problem is reported with its "
        "JSON path and skipped; a problem in a provider's own fields rejects that provider and its "
        "records; everything else loads and publishes. "
        f"Exit status: {EVERYTHING_LOADED} every record loaded; {NOTHING_LOADED} nothing loaded "
        "(no such file, not JSON, a bundle invalid as a whole, or every provider rejected); "
        f"{RECORDS_SKIPPED} some records were skipped or rejected and the rest loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the bundle, a JSON file")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, quiet_progress: bool, **options):
        try:
            bundle = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}", returncode=NOTHING_LOADED) from None
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{file} is not valid JSON: {error}", returncode=NOTHING_LOADED
            ) from None

        def progress(records):
            return tqdm(
                records, desc="providers", unit="provider", file=sys.stderr, disable=quiet_progress
            )

        report = providers_import(bundle=bundle, progress=progress)
        for problem in report.problems:
            verb = "skipped" if problem.skips_only_its_record else "rejected"
            self.stderr.write(self.style.ERROR(f"{verb} {problem}"))
        for draft in report.drafts:
            self.stdout.write(self.style.WARNING(f"draft {draft}"))
        summary = (
            f"Providers: {report.providers_loaded} loaded ({report.created} created, "
            f"{report.updated} updated), {report.rejected} rejected.\n"
            f"Services: {report.services_loaded} loaded, {report.services_skipped} skipped.\n"
            f"Jobs: {report.jobs_loaded} loaded, {report.jobs_skipped} skipped.\n"
            f"Pages published: {report.pages_published}; kept as drafts: {len(report.drafts)}.\n"
        )
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{summary}Exit status {EVERYTHING_LOADED}: every record loaded."
                )
            )
            return
        if report.providers_loaded:
            status, outcome = RECORDS_SKIPPED, "some records were skipped"
        else:
            status, outcome = NOTHING_LOADED, "nothing was loaded"
        self.stdout.write(
            self.style.WARNING(f"{summary}Exit status {status}: {outcome}; see the messages above.")
        )
        raise CommandError(_failure(report), returncode=status)


def _failure(report: ImportReport) -> str:
    if report.providers_loaded:
        return (
            f"{report.rejected} provider(s) rejected, {report.services_skipped} service(s) and "
            f"{report.jobs_skipped} job(s) skipped; the rest loaded."
        )
    if any(problem.level == BUNDLE for problem in report.problems):
        return "Nothing loaded: the bundle as a whole was rejected."
    return f"Nothing loaded: every provider ({report.rejected}) was rejected."
