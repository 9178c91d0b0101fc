"""Each monitoring subject keeps what the help work of 三(八)1 shows of it (the day its next
help visit is counted from, whether a helper is paired with it, whether its plan is active),
so that the dashboards count them from this table alone. Added here; ``assistance 0006``
fills them from the pairings, visits and plans already recorded and ``0010`` makes the day
required and indexes them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("households", "0008_low_income_statuses")]

    operations = [
        migrations.AddField(
            model_name="monitoringsubject",
            name="help_due_basis",
            field=models.DateField(editable=False, null=True, verbose_name="帮扶走访起算日"),
        ),
        migrations.AddField(
            model_name="monitoringsubject",
            name="help_paired",
            field=models.BooleanField(default=False, editable=False, verbose_name="已结对帮扶"),
        ),
        migrations.AddField(
            model_name="monitoringsubject",
            name="help_plan_active",
            field=models.BooleanField(default=False, editable=False, verbose_name="有实施中方案"),
        ),
    ]
