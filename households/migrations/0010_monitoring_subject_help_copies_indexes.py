from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0009_monitoring_subject_help_copies"),
        ("assistance", "0006_subject_help_copies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="monitoringsubject",
            name="help_due_basis",
            field=models.DateField(editable=False, verbose_name="帮扶走访起算日"),
        ),
        migrations.AddIndex(
            model_name="monitoringsubject",
            index=models.Index(
                condition=models.Q(("status", "monitoring")),
                fields=["help_due_basis", "village"],
                name="subject_help_due",
            ),
        ),
        migrations.AddIndex(
            model_name="monitoringsubject",
            index=models.Index(
                condition=models.Q(("status", "monitoring")),
                fields=["village", "category", "help_plan_active", "help_paired"],
                name="subject_monitored_by_village",
            ),
        ),
    ]
