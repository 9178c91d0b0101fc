"""Monitoring subjects keep their household's village (the dashboards' counts per village
read it without joining the households): added and filled from the households here, made
required in the next migration (PostgreSQL does not alter a table with the foreign keys' checks
of this update still pending in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_villages(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    village = Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id"))
    for name in ("MonitoringSubject", "HistoricalMonitoringSubject"):
        apps.get_model("households", name).objects.update(village_id=village)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0005_monitoring_subject_announcement"),
        ("organization", "0008_policy_exit"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmonitoringsubject",
            name="village",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organization.village",
                verbose_name="村",
            ),
        ),
        migrations.AddField(
            model_name="monitoringsubject",
            name="village",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organization.village",
                verbose_name="村",
            ),
        ),
        migrations.RunPython(copy_villages, migrations.RunPython.noop),
    ]
