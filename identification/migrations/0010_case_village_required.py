import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identification", "0009_case_village")]

    operations = [
        migrations.AlterField(
            model_name="identificationcase",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organization.village",
                verbose_name="村",
            ),
        ),
        migrations.AddIndex(
            model_name="identificationcase",
            index=models.Index(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "applied",
                            "verified",
                            "deliberated",
                            "compared",
                            "village_publicizing",
                            "town_reviewing",
                            "town_publicizing",
                            "county_filing",
                        ],
                    )
                ),
                fields=["state", "village", "due_on"],
                name="case_open_by_village",
            ),
        ),
    ]
