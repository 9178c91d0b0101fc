import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("households", "0006_monitoring_subject_village")]

    operations = [
        migrations.AlterField(
            model_name="monitoringsubject",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organization.village",
                verbose_name="村",
            ),
        ),
    ]
