"""民政's roster indicators: one per status of the low-income population (低保, 特困, 低保边缘,
刚性支出困难). A file of these codes sets households' statuses instead of making warnings."""

from django.db import migrations

# (code, name, status, description)
ROSTER_INDICATORS = [
    ("MZDB", "农村低保对象名册", "dibao", "当月全部在保的农村低保对象（整月名册，不只是新增）"),
    ("MZTK", "特困人员名册", "tekun", "当月全部在册的特困供养人员"),
    ("MZBY", "低保边缘家庭名册", "dibao_marginal", "当月全部在册的低保边缘家庭成员"),
    ("MZGZ", "刚性支出困难家庭名册", "rigid_expense", "当月全部在册的刚性支出困难家庭成员"),
]


def create(apps, schema_editor):
    Department = apps.get_model("organization", "Department")
    RiskType = apps.get_model("households", "RiskType")
    WarningIndicator = apps.get_model("early_warnings", "WarningIndicator")
    department = Department.objects.filter(code="minzheng").first()
    risk = RiskType.objects.filter(code="other").first()
    if department is None or risk is None:
        return
    for code, name, status, description in ROSTER_INDICATORS:
        WarningIndicator.objects.update_or_create(
            code=code,
            defaults={
                "department": department,
                "name": name,
                "risk_type": risk,
                "unit": "",
                "rule": "every_row",
                "threshold": None,
                "severe": False,
                "description": description,
                "roster_status": status,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("early_warnings", "0010_roster_indicators_and_uploads"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
