import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.importer import providers_import


class Command(BaseCommand):
    help = (
        "Create or update providers, their service, TCM and job pages from a provider bundle "
        "(docs/provider-bundle.schema.json). Each invalid provider is reported with its JSON path "
        "and loads nothing; the rest load and publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the bundle, a JSON file")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, quiet_progress: bool, **options):
        try:
            bundle = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not valid JSON: {error}") from None

        def progress(records):
            return tqdm(
                records, desc="providers", unit="provider", file=sys.stderr, disable=quiet_progress
            )

        report = providers_import(bundle=bundle, progress=progress)
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(f"rejected {problem}"))
        for draft in report.drafts:
            self.stdout.write(self.style.WARNING(f"draft {draft}"))
        summary = (
            f"Providers: {report.created} created, {report.updated} updated, "
            f"{report.rejected} rejected. Pages published: {report.pages_published}; "
            f"kept as drafts: {len(report.drafts)}."
        )
        if not report.ok:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(
                f"{report.rejected} provider(s) rejected"
                + ("" if report.rejected else " (the bundle as a whole)")
                + "; see the messages above."
            )
        self.stdout.write(self.style.SUCCESS(summary))
