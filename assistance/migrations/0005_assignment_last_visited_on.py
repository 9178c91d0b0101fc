"""Each pairing keeps its helper's latest visit to the household, so the visits due (三(八)1)
and the dashboards no longer read every visit of every monitored household; filled here
from the visits already recorded, afterwards kept by assistance/signals.py."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    HelpAssignment = apps.get_model("assistance", "HelpAssignment")
    Visit = apps.get_model("households", "Visit")
    latest = (
        Visit.objects.filter(household_id=OuterRef("household_id"), visitor_id=OuterRef("helper_id"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    HelpAssignment.objects.update(last_visited_on=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0004_measure_kinds"),
        ("households", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="helpassignment",
            name="last_visited_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="最近走访日期"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
