"""The catalogue of measures, seeded from 三(八)2; the county edits it afterwards."""

from django.db import migrations

# (code, group, name, continues after exit, has an amount)
# 三(八)2: 产业就业、公益性岗位增加收入，或纳入就业困难群体范围; 无劳动能力的纳入兜底保障;
# 住房及饮水安全; 健康帮扶、大病保险、大病救助、临时救助、最低生活保障; 助学贷款、爱心人士助学、
# 假期勤工俭学; 亲友帮助、社会捐助、临时救助. 三(八)4 防贫保险; 三(八)3 爱心超市.
MEASURE_KINDS = [
    ("industry", "industry", "产业帮扶", False, True),
    ("migrant_work", "employment", "外出务工", False, False),
    ("local_work", "employment", "就近就业", False, False),
    ("skills_training", "employment", "技能培训", False, False),
    ("employment_difficulty", "employment", "就业困难群体认定", False, False),
    ("public_job", "public_job", "公益性岗位", True, True),
    ("dibao", "safety_net", "最低生活保障（低保）", False, True),
    ("tekun", "safety_net", "特困人员供养", False, True),
    ("housing_safety", "housing", "住房安全保障（危房改造）", False, True),
    ("water_safety", "water", "饮水安全保障", False, True),
    ("family_doctor", "health", "家庭医生签约服务", False, False),
    ("serious_illness_insurance", "health", "大病保险", False, True),
    ("medical_assistance", "health", "医疗救助", False, True),
    ("temporary_relief", "temporary_relief", "临时救助", False, True),
    ("yulu_plan", "education", "雨露计划", True, True),
    ("student_loan", "education", "助学贷款", False, True),
    ("charity_education", "education", "爱心助学", False, True),
    ("work_study", "education", "勤工俭学", False, False),
    ("relatives_help", "social", "亲友帮助", False, True),
    ("social_donation", "social", "社会捐助", False, True),
    ("poverty_insurance", "social", "防贫保险", False, True),
    ("charity_supermarket", "social", "爱心超市", False, False),
    ("microcredit", "microcredit", "小额信贷", True, True),
]


def seed(apps, schema_editor):
    MeasureKind = apps.get_model("assistance", "MeasureKind")
    for order, (code, group, name, continues, has_amount) in enumerate(MEASURE_KINDS):
        MeasureKind.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "name": name,
                "continues_after_exit": continues,
                "has_amount": has_amount,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0003_help_work")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
