from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracting', '0005_money_sums_agree_on_every_database'),
    ]

    operations = [
        migrations.AddField(
            model_name='rfq',
            name='buyer_collects_hgr',
            field=models.BooleanField(blank=True, null=True),
        ),
    ]
