"""The API side of the permission table: each step action's documentation and its role check.

``step_action`` documents a step from ``identification.services.permissions.TABLE`` (who
takes it in which state, the rule its service enforces, and the 400/403/409 bodies) and
records the step on the view method, so that the viewset checks the caller's role before it
reads the request body: a role that may not take the step is refused (403) before any value
it sent is looked up.
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema

from organization.models import Role
from suixi_monitor.api import error_responses

from ..services.permissions import CASES, Step, StepTable


def _states(states, table: StepTable) -> str:
    if states >= frozenset(table.state_choices.values):
        return "任何环节"
    return "、".join(
        f"“{label}”" for value, label in table.state_choices.choices if value in states
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


class StepInputMixin:
    """A step action's body, read only after the caller's role is checked against the step's
    table (403 first): a role that may not take the step is refused before any value it sent
    is looked up."""

    def _input(self, serializer_class) -> dict:
        method = getattr(self, self.action, None)
        step = getattr(method, "case_step", None)
        if step is not None:
            method.step_table.require_role(self.request.user, step)
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
