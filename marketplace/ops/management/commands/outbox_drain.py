from django.core.management.base import BaseCommand

from marketplace.ops.services import outbox_drain


class Command(BaseCommand):
    help = (
        "Send the background tasks recorded while the broker was down (the worker's beat does "
        "this every minute); prints how many were sent and how many still wait."
    )

    def handle(self, *args, **options):
        counts = outbox_drain()
        style = self.style.SUCCESS if counts["waiting"] == 0 else self.style.WARNING
        self.stdout.write(style("Sent {sent}; {waiting} still waiting.".format(**counts)))
