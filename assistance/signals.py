"""What the registry's changes mean for help: an exit filed closes the subject's plan."""

from __future__ import annotations

import datetime

from django.dispatch import receiver

from households.models import MonitoringSubject
from households.signals import subject_exited
from organization.models import User

from .models import OPEN_PLAN_STATES
from .services.plans import plan_close


@receiver(subject_exited, sender=MonitoringSubject)
def _close_plan_at_exit(
    sender, *, subject: MonitoringSubject, actor: User, on: datetime.date, **kwargs
) -> None:
    """三(九) "逐步停止有关针对性帮扶措施": the plan closes on the filing date and its measures
    stop, except the kinds that continue after the exit (``plan_close(exit=True)``)."""
    for plan in subject.plans.filter(state__in=OPEN_PLAN_STATES):
        plan_close(actor=actor, plan=plan, on=max(on, plan.made_on), exit=True)
