import django.db.models.expressions
import django.db.models.functions.math
from django.conf import settings
from django.db import migrations, models



def cancel_extra_live_payments(apps, schema_editor):
    """Before at most one live payment per milestone is enforced: where earlier races or retries
    left several, keep the one that succeeded (else the newest) and mark the others canceled.
    Reconciliation lists any of them Stripe still holds as payable, for staff to cancel there."""
    Payment = apps.get_model("payments", "Payment")
    live = Payment.objects.exclude(status="canceled")
    milestones = (
        live.values("milestone_id").annotate(count=models.Count("pk")).filter(count__gt=1)
    )
    for row in milestones:
        payments = list(live.filter(milestone_id=row["milestone_id"]).order_by("-created_at"))
        keep = next((p for p in payments if p.status == "succeeded"), payments[0])
        for payment in payments:
            if payment.pk != keep.pk:
                payment.status = "canceled"
                payment.failure_message = "Replaced by a later payment of the same milestone."
                payment.save(update_fields=["status", "failure_message"])


class Migration(migrations.Migration):

    dependencies = [
        ('contracting', '0005_money_sums_agree_on_every_database'),
        ('payments', '0003_disputes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='payment',
            name='one_successful_payment_per_milestone',
        ),
        migrations.RemoveConstraint(
            model_name='payment',
            name='payment_total_is_amount_plus_fee',
        ),
        migrations.RunPython(cancel_extra_live_payments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'canceled'), _negated=True), fields=('milestone',), name='one_live_payment_per_milestone'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('total_amount', django.db.models.functions.math.Round(django.db.models.expressions.CombinedExpression(models.F('amount'), '+', models.F('fee_amount')), 2))), name='payment_total_is_amount_plus_fee'),
        ),
    ]
