"""The API side of the permission tables: each step action's documentation and its role check.

``case_step_action`` documents an identification step from the table of each procedure that
has it (``identification.procedures``: which procedure(s) it belongs to, who takes it there in
which state, the rule its service enforces, and the 400/403/409 bodies); ``step_action`` does
the same from one table (the exit case's). Both record the step on the view method, so that
the viewset checks the caller's role before it reads the request body: a role that may not
take the step is refused (403) before any value it sent is looked up, and a step the case's
procedure does not have answers 409 first.
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema

from organization.models import Role
from suixi_monitor.api import error_responses

from ..procedures import PROCEDURES, Procedure
from ..services.permissions import CASES, Step, StepTable, case_step


def _states(states, table: StepTable) -> str:
    if states >= frozenset(table.state_choices.values):
        return "任何环节"
    return "、".join(
        f"“{table.label(value)}”" for value in table.state_choices.values if value in states
    )


def _roles(roles) -> str:
    return "、".join(label for value, label in Role.choices if value in roles)


def who_may(step: Step, table: StepTable = CASES) -> str:
    """“村防贫监测员（“已申请”环节）；…”: the table's rows for ``step``, in its order."""
    return "；".join(
        f"{_roles(roles)}（{_states(states, table)}）"
        for row, states, roles in table.rows
        if row == step
    )


def step_schema(step: Step, table: StepTable = CASES, **kwargs) -> Callable:
    """``extend_schema`` for a step: description, and the 400/403/404/409 answers."""
    description = f"**{step.title}**。\n\n**谁可以办理**：{who_may(step, table)}。"
    if step.rule:
        description += f"\n\n**规则**：{step.rule}"
    description += (
        "\n\n权限先于输入检查：角色不能办理此步骤的，不读取提交的内容，直接答 403。"
        f"另一管辖范围的{table.noun[1:]}答 404。"
    )
    responses = kwargs.pop("responses")
    if not isinstance(responses, dict):
        responses = {200: responses}
    return extend_schema(
        summary=kwargs.pop("summary", step.title),
        description=description,
        responses={
            **responses,
            **error_responses(
                bad_request=f"规则不允许，信息指明字段或政策条款。{step.rule}",
                forbidden=f"{step.title}须由{_roles(table.step_roles(step))}办理；其他角色答 403。",
                conflict=(
                    f"{table.noun[1:]}当前不在可以{step.doing}的环节"
                    f"（{_states(table.step_states(step), table)}），"
                    "或已被他人先行办理：detail 说明当前环节，state 为其代码。"
                ),
            ),
        },
        **kwargs,
    )


def step_action(step: Step, table: StepTable = CASES, **kwargs) -> Callable:
    """Document a viewset method as ``step`` and remember the step for the role check."""

    def decorate(method):
        method.case_step = step
        method.step_table = table
        return step_schema(step, table, **kwargs)(method)

    return decorate


def procedures_of(name: str) -> list[Procedure]:
    """The procedures that have the step ``name``."""
    return [p for p in PROCEDURES.values() if p.step(name) is not None]


def case_step_schema(name: str, **kwargs) -> Callable:
    """``extend_schema`` for an identification step: the procedure(s) it belongs to, and in
    each who takes it in which state and its rule; the 400/403/404/409 answers."""
    procedures = procedures_of(name)
    titles = "、".join(dict.fromkeys(p.title(name) for p in procedures))
    lines = []
    for procedure in procedures:
        step = procedure.step(name)
        line = f"- **{procedure.label}**（{step.title}）：{who_may(step, procedure.table)}。"
        if step.rule:
            line += f"规则：{step.rule}"
        lines.append(line)
    description = f"**{titles}**。\n\n**所属识别程序及谁可以办理**：\n\n" + "\n".join(lines)
    others = [p for p in PROCEDURES.values() if p not in procedures]
    if others:
        description += (
            f"\n\n{'、'.join(p.label for p in others)}没有此步骤：按该程序办理的申请答 409"
            f"（如“该申请按{others[0].name}办理，没有{titles}环节”），procedure 为申请所按程序的代码。"
        )
    description += (
        "\n\n申请按其申请日期所在年度的识别程序办理（政策参数 identification_procedure），"
        "办理中不因参数修改而改变。权限先于输入检查：角色不能办理此步骤的，不读取提交的内容，"
        "直接答 403。另一管辖范围的申请答 404。"
    )
    roles = set().union(*(p.table.step_roles(p.step(name)) for p in procedures))
    first = procedures[0].step(name)
    states = "；".join(
        f"{p.name}：{_states(p.table.step_states(p.step(name)), p.table)}" for p in procedures
    )
    rules = " ".join(p.step(name).rule for p in procedures if p.step(name).rule)
    responses = kwargs.pop("responses")
    if not isinstance(responses, dict):
        responses = {200: responses}
    return extend_schema(
        summary=kwargs.pop("summary", titles),
        description=description,
        responses={
            **responses,
            **error_responses(
                bad_request=f"规则不允许，信息指明字段或政策条款。{rules}",
                forbidden=f"{titles}须由{_roles(roles)}办理；其他角色答 403。",
                conflict=(
                    f"申请当前不在可以{first.doing}的环节（{states}），或已被他人先行办理："
                    "detail 说明当前环节，state 为其代码；或该申请所按识别程序没有此步骤："
                    "detail 指明程序，procedure 为其代码。"
                ),
            ),
        },
        extensions={"x-procedures": [p.key for p in procedures]},
        **kwargs,
    )


def case_step_action(name: str, **kwargs) -> Callable:
    """Document a viewset method as the identification step ``name`` and remember it for
    the checks before its body is read."""

    def decorate(method):
        method.case_step_name = name
        return case_step_schema(name, **kwargs)(method)

    return decorate


class StepInputMixin:
    """A step action's body, read only after the caller's role is checked against the step's
    table (403 first): a role that may not take the step is refused before any value it sent
    is looked up."""

    def _input(self, serializer_class, case=None) -> dict:
        method = getattr(self, self.action, None)
        step = getattr(method, "case_step", None)
        if step is not None:
            method.step_table.require_role(self.request.user, step)
        name = getattr(method, "case_step_name", None)
        if name is not None:
            # The case's own procedure: 409 for a step it does not have, then 403.
            table, case_step_ = case_step(case, name)
            table.require_role(self.request.user, case_step_)
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
