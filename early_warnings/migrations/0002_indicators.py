"""Seed indicators for all sixteen departments of 三(四)2; the county bureau edits them later."""

from decimal import Decimal

from django.db import migrations

# (department, code, name, risk type, unit, rule, threshold, severe, description)
INDICATORS = [
    ("yibao", "YB01", "本年个人自付医疗费用", "illness", "元", "threshold", "10000", False, "本年度累计个人自付（政策范围内外合计）"),
    ("yibao", "YB02", "本年个人自付医疗费用（高额）", "illness", "元", "threshold", "50000", True, "自付费用达到高额线，单独即为红色预警"),
    ("weijian", "WJ01", "确诊重大疾病", "illness", "", "every_row", None, True, "当月新确诊的重大疾病、慢性病"),
    ("jiaoyu", "JY01", "义务教育阶段适龄儿童未入学或辍学", "schooling", "", "every_row", None, True, "因家庭困难未入学、辍学"),
    ("zhujian", "ZJ01", "住房安全鉴定为C级或D级", "housing", "", "every_row", None, True, "实际居住房屋鉴定为C级或D级"),
    ("nongye", "NY01", "产业发展损失", "industry_failure", "元", "threshold", "5000", False, "种植、养殖等产业当月损失金额"),
    ("renshe", "RS01", "劳动力失业或未就业", "unstable_employment", "", "every_row", None, False, "有劳动能力但失业或未就业"),
    ("shuiwu", "SW01", "饮水安全受到严重影响", "water", "", "every_row", None, True, "水量、水质、取水方便程度或供水保证率不达标"),
    ("jinrong", "JR01", "扶贫小额信贷逾期", "industry_failure", "天", "threshold", "30", False, "逾期天数"),
    ("gongan", "GA01", "家庭成员死亡或遭遇意外事故", "accident", "", "every_row", None, True, "死亡、重大交通事故等意外"),
    ("canlian", "CL01", "新办重度残疾证（一、二级）", "disability", "", "every_row", None, True, "当月新办或升级为一、二级残疾"),
    ("yingji", "YJ01", "遭受自然灾害损失", "disaster", "元", "threshold", "3000", False, "水灾、旱灾、火灾等造成的家庭财产损失"),
    ("fulian", "FL01", "困难妇女或单亲困难家庭", "other", "", "every_row", None, False, "家庭变故后基本生活困难"),
    ("tuanwei", "TW01", "困境青少年（事实无人抚养等）", "other", "", "every_row", None, False, "事实无人抚养或监护缺失"),
    ("minzheng", "MZ01", "新纳入低保、特困或临时救助", "other", "", "every_row", None, False, "当月新纳入的对象"),
    ("minzheng", "MZ02", "临时救助金额", "other", "元", "threshold", "2000", False, "当月临时救助金额"),
    ("xinfang", "XF01", "反映生活困难的信访事项", "other", "", "every_row", None, False, "12345、信访等反映的生活困难"),
    ("fupin", "FP01", "家庭收入骤减幅度", "market", "%", "threshold", "30", False, "较上年同期人均收入下降的百分比"),
]


def create(apps, schema_editor):
    Department = apps.get_model("organization", "Department")
    RiskType = apps.get_model("households", "RiskType")
    WarningIndicator = apps.get_model("early_warnings", "WarningIndicator")
    departments = {d.code: d for d in Department.objects.all()}
    risks = {r.code: r for r in RiskType.objects.all()}
    for dept, code, name, risk, unit, rule, threshold, severe, description in INDICATORS:
        if dept not in departments or risk not in risks:
            continue
        WarningIndicator.objects.update_or_create(
            code=code,
            defaults={
                "department": departments[dept],
                "name": name,
                "risk_type": risks[risk],
                "unit": unit,
                "rule": rule,
                "threshold": Decimal(threshold) if threshold else None,
                "severe": severe,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("early_warnings", "0001_initial"),
        ("organization", "0002_departments"),
        ("households", "0003_risk_types"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
