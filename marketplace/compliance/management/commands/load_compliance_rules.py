from django.core.management.base import BaseCommand, CommandError

from marketplace.compliance.services import RulesDataError, rules_load


class Command(BaseCommand):
    help = (
        "Load the compliance rules and trade agreements from marketplace/compliance/data/*.yaml. "
        "Idempotent: creates what is missing; --overwrite also resets existing rows to the files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite", action="store_true", help="replace staff edits with the files' values"
        )

    def handle(self, *args, overwrite: bool, **options):
        try:
            counts = rules_load(overwrite=overwrite)
        except RulesDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                "Agreements: {agreements_created} created, {agreements_updated} updated. "
                "Rules: {rules_created} created, {rules_updated} updated.".format(**counts)
            )
        )
