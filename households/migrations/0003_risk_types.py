"""The risk types of 三(二) and 三(六), fixed codes used by warnings and cases."""

from django.db import migrations

RISK_TYPES = [
    ("illness", "因病"),
    ("disability", "因残"),
    ("schooling", "因学"),
    ("disaster", "因灾"),
    ("accident", "因意外事故"),
    ("industry_failure", "因产业失败"),
    ("unstable_employment", "因就业不稳"),
    ("broken_chain", "因带动断链"),
    ("market", "因市场波动"),
    ("housing", "住房安全"),
    ("water", "饮水安全"),
    ("lack_of_labour", "缺劳动力"),
    ("other", "其他"),
]


def create(apps, schema_editor):
    RiskType = apps.get_model("households", "RiskType")
    for order, (code, name) in enumerate(RISK_TYPES):
        RiskType.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("households", "0002_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
