"""Fill the monitoring subjects' help copies (三(八)1): the day the next help visit is counted
from (the latest visit by a helper paired with the household now, else the start of the
earliest open pairing, else the subject's start), whether a helper is paired now, whether the
plan is active; afterwards kept by assistance/signals.py."""

from django.db import migrations
from django.db.models import DateField, Exists, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    HelpAssignment = apps.get_model("assistance", "HelpAssignment")
    AssistancePlan = apps.get_model("assistance", "AssistancePlan")
    MonitoringSubject = apps.get_model("households", "MonitoringSubject")
    pairs = (
        HelpAssignment.objects.filter(household_id=OuterRef("household_id"), ended_on__isnull=True)
        .order_by()
        .values("household_id")
    )
    last_visit = pairs.annotate(day=Max("last_visited_on")).values("day")
    paired_since = pairs.annotate(day=Min("started_on")).values("day")
    MonitoringSubject.objects.update(
        help_due_basis=Coalesce(
            Subquery(last_visit), Subquery(paired_since), F("started_on"), output_field=DateField()
        ),
        help_paired=Exists(pairs),
        help_plan_active=Exists(
            AssistancePlan.objects.filter(subject_id=OuterRef("pk"), state="active")
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0005_assignment_last_visited_on"),
        ("households", "0009_monitoring_subject_help_copies"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
