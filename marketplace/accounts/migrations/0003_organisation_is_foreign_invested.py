from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_offered_capabilities'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='is_foreign_invested',
            field=models.BooleanField(blank=True, help_text='Established in China but at least half foreign-held, or foreign-controlled.', null=True, verbose_name='foreign-invested or controlled'),
        ),
    ]
