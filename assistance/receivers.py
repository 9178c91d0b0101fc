"""What help does when the registry below it changes (the registry sends, help receives, so
``households`` never imports ``assistance``)."""

from django.dispatch import receiver

from households.models import MonitoringSubject
from households.signals import subject_reinstated

from .services import plan_reopen_after_exit


@receiver(subject_reinstated, sender=MonitoringSubject)
def _reopen_help(sender, *, subject, actor, exited_on, reason, **kwargs) -> None:
    plan_reopen_after_exit(actor=actor, subject=subject, exited_on=exited_on, reason=reason)
