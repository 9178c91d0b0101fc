"""Browser forms of the organisation: the yearly policy thresholds, accounts, one's password.

Forms parse what a person typed; the services decide and write. Account pick-lists offer
only what ``selectors.account_choices`` lets the editor assign.
"""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from suixi_monitor.forms import DateInput

from .models import AuditEntry, DepartmentContact, PolicySettings, Role, User
from .selectors import AuditFilters, UserFilters, account_choices
from .services import REASON_MAX

POLICY_FIELDS = [
    "income_line",
    "minimum_living_standard",
    "home_check_team_min",
    "quorum_numerator",
    "quorum_denominator",
    "pass_numerator",
    "pass_denominator",
    "identification_procedure",
    "village_publicity_days",
    "town_publicity_days",
    "home_check_working_days",
    "identification_working_days",
    "clock_warn_working_days",
    "warning_due_day",
    "warning_push_day",
    "warning_reminder_days",
    "warning_verify_days",
    "warning_verify_working_days",
    "wrong_exit_limit",
    "exit_round_first_month",
    "exit_round_second_month",
    "exit_round_open_days",
    "exit_publicity_days",
    "exit_visit_within_days",
    "spot_check_percent",
    "spot_check_min",
    "help_visit_interval_days",
    "plan_review_months",
    "declaration_answer_working_days",
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
    "identification_procedure": "三(七)；2024年起安徽省识别程序取消组评议，村公示期间进行信息比对，"
    "由县级审定公告。申请按申请日期所在年度的程序办理，办理中不因参数修改而改变",
    "village_publicity_days": "三(七)5：公示7天无异议",
    "town_publicity_days": "三(七)6：公示时间不少于7天",
    "home_check_working_days": "安徽省一码申报（2022）：入户核查须在申请后2个工作日内完成",
    "identification_working_days": "安徽省一码申报（2022）：识别须在申请后20个工作日内办结；公示期按自然日计入其中",
    "clock_warn_working_days": "到期前若干个工作日标为临期（橙色），超过时限标为超期（红色）",
    "warning_verify_working_days": "三(四)2：反馈到镇村核实；勾选后核实时限按工作日计算",
    "warning_due_day": "三(四)2：每月10日前提供本部门预警信息",
    "warning_push_day": "三(四)2：每月15日前反馈到镇村核实",
    "wrong_exit_limit": "三(九)：错退率超过2%的镇需重新审核认定",
    "exit_round_first_month": "三(十)：退出工作每半年开展一次",
    "exit_round_second_month": "三(十)：退出工作每半年开展一次",
    "exit_publicity_days": "三(九)：镇组织评估公示",
    "spot_check_percent": "三(九)：县级对退出名单进行抽查评估",
    "spot_check_min": "三(九)：县级对退出名单进行抽查评估",
    "help_visit_interval_days": "三(八)1：帮扶责任人要定期上门走访",
    "plan_review_months": "三(八)1：及时掌握动态变化，及时落实帮扶措施",
    "declaration_answer_working_days": "三(七)1：户申请；一码申报须在2个工作日内答复",
}


class PolicySettingsForm(forms.ModelForm):
    class Meta:
        model = PolicySettings
        fields = POLICY_FIELDS


class PolicyYearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2021, max_value=2100)


# --- accounts ------------------------------------------------------------------------------

ACTIVE_CHOICES = [("", "全部"), ("1", "在用"), ("0", "已停用")]


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名、用户名或手机号", "type": "search"}),
    )
    role = forms.ChoiceField(label="角色", required=False)
    town = forms.ModelChoiceField(
        label="镇（园区）", queryset=None, required=False, empty_label="全部镇（园区）"
    )
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        choices = account_choices(user=user)
        self.fields["role"].choices = [
            ("", "全部角色"),
            *((role, Role(role).label) for role in choices.roles),
        ]
        if choices.fixed_town_id is not None:
            del self.fields["town"]  # a town official's accounts are all of their town
        else:
            self.fields["town"].queryset = choices.towns

    def filters(self) -> UserFilters:
        """The filters that parsed; a value the user may not choose is reported and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        town = data.get("town")
        return UserFilters(
            q=data.get("q") or "",
            role=data.get("role") or "",
            town=town.pk if town else None,
            active={"1": True, "0": False}.get(data.get("active") or ""),
        )


class VillageSelect(forms.Select):
    """Each village names its town (``data-town``), so the page offers only the villages of
    the town chosen (static/js/app.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-town"] = instance.town_id
        return option


class VillageField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.town.name} · {obj.name}"


SCOPE_HELP = (
    "村防贫监测员须选所在村；镇（园区）干部须选所在镇（园区）；县直部门人员须选所在部门；"
    "帮扶责任人须填写手机号，并选帮扶单位，镇村干部任帮扶联系人的选所在镇（园区）、村。"
    "与角色无关的项目保存时自动清空。"
)
TOWN_SCOPE_HELP = (
    "村防贫监测员须选本镇的所在村；帮扶责任人须填写手机号，可选帮扶单位，村干部任帮扶联系人的"
    "选所在村（镇干部不选村）。与角色无关的项目保存时自动清空。"
)


class UserForm(forms.ModelForm):
    """An account's names, contact, role and scope; the password is never typed here (a
    one-time password is generated) and an editor's own role and scope are shown, not offered."""

    last_name = forms.CharField(label="姓", max_length=150, error_messages={"required": "请填写姓"})
    first_name = forms.CharField(
        label="名", max_length=150, error_messages={"required": "请填写名"}
    )
    village = VillageField(
        label="所在村", queryset=None, required=False, widget=VillageSelect, empty_label="（无）"
    )

    class Meta:
        model = User
        fields = [
            "last_name",
            "first_name",
            "username",
            "phone",
            "email",
            "role",
            "town",
            "village",
            "department",
            "help_unit",
        ]
        labels = {"username": "用户名", "phone": "手机号或固定电话", "email": "电子邮箱"}
        help_texts = {
            "username": "登录时使用，如姓名拼音 wangwei；不能与已有用户名重复（不区分大小写）",
            "phone": "11位手机号，或带区号的固定电话，如 0561-1234567",
            "email": "选填",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "username": forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
        }

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        choices = account_choices(user=editor)
        own = self.instance.pk is not None and self.instance.pk == editor.pk
        roles = list(choices.roles)
        if own and self.instance.role not in roles:
            roles.append(self.instance.role)
        self.fields["role"].choices = [("", "请选择角色"), *((r, Role(r).label) for r in roles)]
        self.fields["role"].help_text = TOWN_SCOPE_HELP if choices.fixed_town_id else SCOPE_HELP
        fields = self.fields
        fields["town"].queryset = choices.towns
        fields["town"].empty_label = "（无）"
        fields["village"].queryset = choices.villages
        fields["department"].queryset = choices.departments
        fields["department"].empty_label = "（无）"
        fields["help_unit"].queryset = choices.help_units
        fields["help_unit"].empty_label = "（无）"
        if own:
            # 二: nobody changes their own role or scope; shown for reference only.
            for name in ("role", "town", "village", "department", "help_unit"):
                fields[name].disabled = True
                fields[name].help_text = "不能修改本人的角色和工作范围"
            for name in ("town", "village", "department", "help_unit"):
                current = getattr(self.instance, name)
                if current is not None:
                    fields[name].queryset = type(current).objects.filter(pk=current.pk)
        elif choices.fixed_town_id is not None:
            # A town official's accounts are all of their town (the service sets it) and none
            # is a department's.
            del fields["town"]
            del fields["department"]

    def validate_unique(self) -> None:
        """The service checks the username, blind to case, with its own message."""

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.fields and not self.fields[name].disabled
        }


class UserDeactivateForm(forms.Form):
    reason = forms.CharField(
        label="停用原因",
        max_length=REASON_MAX,
        required=False,
        help_text="选填，如“调离岗位”“退休”；写入账号的变更记录",
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new password twice, the password validators)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码（或收到的临时密码）"


class DepartmentContactForm(forms.ModelForm):
    """A department's contact person, as the county bureau enters them."""

    class Meta:
        model = DepartmentContact
        fields = ["name", "title", "phone", "order"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}


# --- the audit log -------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    who = forms.CharField(
        label="查阅人",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "用户名或姓名", "type": "search"}),
    )
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部类别"), *AuditEntry.Kind.choices]
    )
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput)
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data

    def filters(self) -> AuditFilters:
        """The filters that parsed; one that did not is reported on the page and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            who=data.get("who") or "",
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
        )
