"""A service's refusal on a page: every app's views go through this one mapping."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.forms import (
    apply_service_error,
    conflict_message,
    run_action,
    run_service,
)


class StepForm(forms.Form):
    held_on = forms.DateField(required=False)
    present = forms.IntegerField(required=False)


def step_form() -> StepForm:
    form = StepForm({"held_on": "", "present": ""})
    assert form.is_valid()
    return form


def refuse(error: Exception):
    def service(**kwargs):
        raise error

    return service


def test_a_field_error_lands_on_its_field():
    form = step_form()
    apply_service_error(form, ValidationError({"held_on": "日期不能晚于今天"}))
    assert form.errors == {"held_on": ["日期不能晚于今天"]}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        # a field the form does not have
        (ValidationError({"group": "村民小组须属于该户所在村"}), "村民小组须属于该户所在村"),
        # a rule of the whole row
        (ValidationError("请先变更户主，再删除原户主"), "请先变更户主，再删除原户主"),
        (ApplicationError("三(五)：该户不在识别范围内"), "三(五)：该户不在识别范围内"),
        (PermissionDenied("只有县扶贫局可以修改政策参数"), "只有县扶贫局可以修改政策参数"),
        # a refused permission without a reason still says why
        (PermissionDenied(), "您没有权限办理此事项"),
    ],
)
def test_a_refusal_without_a_field_of_the_form_lands_above_the_form(error, message):
    form = step_form()
    apply_service_error(form, error)
    assert form.errors == {"__all__": [message]}


def test_an_application_error_keeps_its_field():
    form = step_form()
    apply_service_error(form, ApplicationError("三(七)3：到会人数不足", field="present"))
    assert form.errors == {"present": ["三(七)3：到会人数不足"]}


def test_anything_else_is_a_fault_not_a_refusal():
    with pytest.raises(TypeError):
        apply_service_error(step_form(), KeyError("held_on"))


def test_run_service_returns_what_the_service_returns():
    form = step_form()
    assert run_service(form, lambda *, case: f"已办理{case}", case=7) == "已办理7"
    assert not form.errors


def test_run_service_passes_positional_arguments_too():
    assert run_service(step_form(), lambda data: data["x"], {"x": 1}) == 1


def test_run_service_puts_the_refusal_on_the_form_and_returns_none():
    form = step_form()
    service = refuse(ApplicationError("核查组成员不得少于2人", field="present"))
    assert run_service(form, service, case=7) is None
    assert form.errors == {"present": ["核查组成员不得少于2人"]}


def test_run_service_lets_a_refused_permission_through_as_403():
    with pytest.raises(PermissionDenied):
        run_service(step_form(), refuse(PermissionDenied("您无权办理该户的识别申请")))


def test_a_wrong_state_is_told_apart_from_a_broken_rule():
    conflicted, refused = step_form(), step_form()
    run_service(conflicted, refuse(ConflictError("该申请当前环节为“已初核”，不能录入村初核")))
    run_service(refused, refuse(ApplicationError("三(六)：初核通过须至少符合一项识别标准")))
    assert conflict_message(conflicted) == "该申请当前环节为“已初核”，不能录入村初核"
    assert conflict_message(refused) is None


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_run_action_says_yes_when_the_service_accepted():
    request = _request()
    assert run_action(request, lambda *, item: item, item=3) is True
    assert list(get_messages(request)) == []


def test_run_action_turns_a_refusal_into_one_message():
    request = _request()
    service = refuse(ValidationError({"village": "请选择核实的村", "reason": "请填写核实情况"}))
    assert run_action(request, service, item=3) is False
    assert [m.message for m in get_messages(request)] == ["请选择核实的村；请填写核实情况"]


def test_run_action_names_a_wrong_state_in_its_message():
    request = _request()
    assert not run_action(request, refuse(ConflictError("该预警当前为“已销号”，不能销号")))
    assert [m.message for m in get_messages(request)] == ["该预警当前为“已销号”，不能销号"]
