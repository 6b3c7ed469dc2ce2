from django.core.management.base import BaseCommand, CommandError

from payments.ledger import ledger_check
from payments.models import LedgerTransaction


class Command(BaseCommand):
    help = (
        "Check the ledger: every transaction balances per currency, and each payment is recorded "
        "as its status says (a succeeded payment exactly once). Exits non-zero on any problem."
    )

    def handle(self, *args, **options):
        problems = ledger_check()
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the ledger.")
        count = LedgerTransaction.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Ledger clean: {count} transaction(s) balance."))
