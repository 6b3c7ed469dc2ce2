from django.core.management.base import BaseCommand, CommandError

from payments.ledger import ledger_check
from payments.models import LedgerTransaction


class Command(BaseCommand):
    help = (
        "Check the ledger: every transaction balances per currency, and each payment is recorded "
        "as its status says (a succeeded payment exactly once); with --stripe, that recent "
        "payments agree with Stripe. Exits non-zero on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stripe",
            action="store_true",
            help="also compare the last days' payments with their PaymentIntents at Stripe",
        )
        parser.add_argument("--days", type=int, default=3, help="with --stripe: how far back")

    def handle(self, *args, stripe: bool, days: int, **options):
        problems = ledger_check()
        if stripe:
            from payments.services import reconciliation_run

            problems += reconciliation_run(days=days)
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the ledger.")
        count = LedgerTransaction.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Ledger clean: {count} transaction(s) balance."))
