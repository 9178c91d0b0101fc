"""The sixteen departments of 三(四)2, with stable codes that uploads and templates use."""

from django.db import migrations

DEPARTMENTS = [
    ("yibao", "濉溪县医疗保障局", "医保"),
    ("weijian", "濉溪县卫生健康委员会", "卫健"),
    ("jiaoyu", "濉溪县教育体育局", "教育"),
    ("zhujian", "濉溪县住房和城乡建设局", "住建"),
    ("nongye", "濉溪县农业农村局", "农业农村"),
    ("renshe", "濉溪县人力资源和社会保障局", "人社"),
    ("shuiwu", "濉溪县水务局", "水务"),
    ("jinrong", "濉溪县地方金融监督管理局", "金融"),
    ("gongan", "濉溪县公安局", "公安"),
    ("canlian", "濉溪县残疾人联合会", "残联"),
    ("yingji", "濉溪县应急管理局", "应急管理"),
    ("fulian", "濉溪县妇女联合会", "妇联"),
    ("tuanwei", "共青团濉溪县委员会", "团委"),
    ("minzheng", "濉溪县民政局", "民政"),
    ("xinfang", "濉溪县信访局", "信访"),
    ("fupin", "濉溪县扶贫开发局", "扶贫"),
]


def create(apps, schema_editor):
    Department = apps.get_model("organization", "Department")
    for code, name, short_name in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short_name})


class Migration(migrations.Migration):
    dependencies = [("organization", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
