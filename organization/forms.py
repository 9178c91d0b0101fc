"""Browser forms of the organisation: the yearly policy thresholds."""

from django import forms

from .models import DepartmentContact, PolicySettings

POLICY_FIELDS = [
    "income_line",
    "minimum_living_standard",
    "home_check_team_min",
    "quorum_numerator",
    "quorum_denominator",
    "pass_numerator",
    "pass_denominator",
    "group_deliberation_enabled",
    "village_publicity_days",
    "town_publicity_days",
    "case_overdue_days",
    "warning_due_day",
    "warning_push_day",
    "warning_reminder_days",
    "warning_verify_days",
    "wrong_exit_limit",
]

# Which clause of the 2021 plan each number comes from, shown beside the field.
POLICY_SOURCES = {
    "income_line": "三(六)：原则上按脱贫攻坚期国家扶贫标准的1.5倍确定",
    "minimum_living_standard": "三(五)3：低于农村最低生活保障标准",
    "home_check_team_min": "三(七)2：核查组成员不得少于2人",
    "quorum_numerator": "三(七)3：应参会人员三分之二以上到会的会议有效",
    "quorum_denominator": "三(七)3",
    "pass_numerator": "三(七)3：得赞成意见超过参会人数半数的为评议通过",
    "pass_denominator": "三(七)3",
    "village_publicity_days": "三(七)5：公示7天无异议",
    "town_publicity_days": "三(七)6：公示时间不少于7天",
    "warning_due_day": "三(四)2：每月10日前提供本部门预警信息",
    "warning_push_day": "三(四)2：每月15日前反馈到镇村核实",
    "wrong_exit_limit": "三(九)：错退率超过2%的镇需重新审核认定",
}


class PolicySettingsForm(forms.ModelForm):
    class Meta:
        model = PolicySettings
        fields = POLICY_FIELDS


class PolicyYearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2021, max_value=2100)


class DepartmentContactForm(forms.ModelForm):
    """A department's contact person, as the county bureau enters them."""

    class Meta:
        model = DepartmentContact
        fields = ["name", "title", "phone", "order"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}
