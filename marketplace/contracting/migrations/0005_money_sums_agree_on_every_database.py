import django.db.models.expressions
import django.db.models.functions.math
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_fx_rates'),
        ('contracting', '0004_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='quoterevision',
            name='quote_revision_total_is_net_plus_vat',
        ),
        migrations.AddConstraint(
            model_name='quoterevision',
            constraint=models.CheckConstraint(condition=models.Q(('total_amount', django.db.models.functions.math.Round(django.db.models.expressions.CombinedExpression(models.F('net_amount'), '+', models.F('vat_amount')), 2))), name='quote_revision_total_is_net_plus_vat'),
        ),
    ]
