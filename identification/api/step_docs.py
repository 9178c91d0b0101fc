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

from ..models import CaseState
from ..services.permissions import ANY_STATE, TABLE, Step, step_roles, step_states


def _states(states) -> str:
    if states == ANY_STATE:
        return "任何环节"
    return "、".join(f"“{label}”" for value, label in CaseState.choices if value in states)


def _roles(roles) -> str:
    return "、".join(label for value, label in Role.choices if value in roles)


def who_may(step: Step) -> str:
    """“村防贫监测员（“已申请”环节）；…”: the table's rows for ``step``, in its order."""
    return "；".join(
        f"{_roles(roles)}（{_states(states)}）" for row, states, roles in TABLE if row == step
    )


def step_schema(step: Step, **kwargs) -> Callable:
    """``extend_schema`` for a step: description, and the 400/403/404/409 answers."""
    description = f"**{step.title}**。\n\n**谁可以办理**：{who_may(step)}。"
    if step.rule:
        description += f"\n\n**规则**：{step.rule}"
    description += (
        "\n\n权限先于输入检查：角色不能办理此步骤的，不读取提交的内容，直接答 403。"
        "另一管辖范围的申请答 404。"
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
                forbidden=f"{step.title}须由{_roles(step_roles(step))}办理；其他角色答 403。",
                conflict=(
                    f"申请当前不在可以{step.doing}的环节（{_states(step_states(step))}），"
                    "或已被他人先行办理：detail 说明当前环节，state 为其代码。"
                ),
            ),
        },
        **kwargs,
    )


def step_action(step: Step, **kwargs) -> Callable:
    """Document a viewset method as ``step`` and remember the step for the role check."""

    def decorate(method):
        method.case_step = step
        return step_schema(step, **kwargs)(method)

    return decorate
