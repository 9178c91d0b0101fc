"""Opening a half-year exit round (三(十) "退出工作每半年开展一次").

Kept minimal here: the county opens a round by hand (and the demo does), one ``TownRound``
per town. The daily opening task and the closing of rounds live beside it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from organization.models import PolicySettings, Town, User
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from ..models import ExitRound, TownRound
from ._common import _check_date


def exit_round_open(*, actor: User, year: int, half: int, on: datetime.date) -> ExitRound:
    """The county opens ``year``'s ``half`` on ``on`` for every town; proposals are taken for
    the year's ``exit_round_open_days`` days. A half-year already opened is a conflict (409)."""
    if actor is None or not actor.is_county:
        raise PermissionDenied("退出批次由县扶贫局开启")
    _check_date(on, "opened_on")
    days = PolicySettings.for_year(year).exit_round_open_days
    with transaction.atomic():
        if ExitRound.objects.select_for_update().filter(year=year, half=half).exists():
            raise ConflictError(f"{year}年{ExitRound.Half(half).label}的退出批次已开启")
        exit_round = ExitRound(
            year=year,
            half=half,
            opened_on=on,
            closes_on=on + datetime.timedelta(days=days - 1),
            opened_by=actor,
        )
        save_with_actor(exit_round, actor=actor, reason="开启退出批次")
        for town in Town.objects.order_by("code"):
            save_with_actor(TownRound(round=exit_round, town=town), actor=actor)
        return exit_round
