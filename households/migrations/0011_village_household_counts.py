"""Each village's household count, which the dashboards read instead of counting every
household; filled here, afterwards kept with every household written."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Count_ = apps.get_model("households", "VillageHouseholdCount")
    Household = apps.get_model("households", "Household")
    Village = apps.get_model("organization", "Village")
    counts = dict(
        Household.objects.order_by()
        .values("village_id")
        .annotate(n=Count("*"))
        .values_list("village_id", "n")
    )
    Count_.objects.bulk_create(
        Count_(village_id=pk, households=counts.get(pk, 0))
        for pk in Village.objects.values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0010_monitoring_subject_help_copies_indexes"),
        ("organization", "0011_policy_declaration_answer_working_days"),
    ]

    operations = [
        migrations.CreateModel(
            name="VillageHouseholdCount",
            fields=[
                (
                    "village",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="organization.village",
                        verbose_name="村",
                    ),
                ),
                ("households", models.IntegerField(default=0, verbose_name="农户数")),
            ],
            options={
                "verbose_name": "各村农户数",
                "verbose_name_plural": "各村农户数",
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
