"""Each identification case keeps its household's village, so the dashboards count the open
cases per village without looking each one up among the households. Added empty and filled
here; ``0010`` makes it required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Case = apps.get_model("identification", "IdentificationCase")
    Household = apps.get_model("households", "Household")
    village = Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1]
    Case.objects.update(village_id=Subquery(village))


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0008_case_source_declaration"),
        ("organization", "0011_policy_declaration_answer_working_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="identificationcase",
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
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
