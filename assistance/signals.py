"""What the registry's changes mean for help.

- ``HelpAssignment.last_visited_on`` follows the registry's visits, and the subject's help
  copies (``help_due_basis``, ``help_paired``, ``help_plan_active``) the visits, the pairings,
  the plans and the subject, whichever path writes them: the registry's visit services, the
  help visit, the pairing and plan services, the admin, test factories.
- An exit filed closes the subject's plan (三(九)); a wrong exit reverted in the re-review
  reopens the plan and the measures that exit closed.
"""

from __future__ import annotations

import datetime

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from households.models import MonitoringSubject, Visit
from households.signals import subject_exited, subject_reinstated
from organization.models import User

from .models import OPEN_PLAN_STATES, AssistancePlan, HelpAssignment
from .services.last_visit import help_refresh, last_visit_of, subjects_refresh_help
from .services.plans import plan_close, plan_reopen_after_exit


@receiver(pre_save, sender=HelpAssignment)
def _pairing_reads_its_helpers_visits(sender, instance: HelpAssignment, raw=False, **kwargs):
    # On every save, not only the first: a helper paired again with a household they visited
    # before keeps that visit, and a pairing saved from a copy read before a later visit
    # (ending it, say) does not write back an older date.
    if not raw:
        instance.last_visited_on = last_visit_of(
            household_id=instance.household_id, helper_id=instance.helper_id
        )


@receiver(post_save, sender=Visit)
@receiver(post_delete, sender=Visit)
def _visit_moves_its_pairings(sender, instance: Visit, raw=False, **kwargs):
    # Every pairing and subject of the household, not only the visitor's: cheap (a few rows),
    # and right even if a visit's date or visitor is corrected.
    if not raw:
        help_refresh(household_ids=[instance.household_id])


@receiver(post_save, sender=HelpAssignment)
@receiver(post_delete, sender=HelpAssignment)
def _pairing_moves_its_subjects(sender, instance: HelpAssignment, raw=False, **kwargs):
    # Made, ended, re-dated or deleted: the household's visits due count from its open pairings.
    if not raw:
        subjects_refresh_help(
            subjects=MonitoringSubject.objects.filter(household_id=instance.household_id)
        )


@receiver(post_save, sender=AssistancePlan)
@receiver(post_delete, sender=AssistancePlan)
def _plan_moves_its_subject(sender, instance: AssistancePlan, raw=False, **kwargs):
    # Made active, closed or reopened: the subject's help coverage follows.
    if not raw:
        subjects_refresh_help(subjects=MonitoringSubject.objects.filter(pk=instance.subject_id))


@receiver(post_save, sender=MonitoringSubject)
def _subject_reads_its_pairings(sender, instance: MonitoringSubject, raw=False, **kwargs):
    # A subject filed (or re-dated) for a household already paired counts from its pairings.
    if not raw:
        subjects_refresh_help(subjects=MonitoringSubject.objects.filter(pk=instance.pk))


@receiver(subject_exited, sender=MonitoringSubject)
def _close_plan_at_exit(
    sender, *, subject: MonitoringSubject, actor: User, on: datetime.date, **kwargs
) -> None:
    """三(九) "逐步停止有关针对性帮扶措施": the plan closes on the filing date and its measures
    stop, except the kinds that continue after the exit (``plan_close(exit=True)``)."""
    for plan in subject.plans.filter(state__in=OPEN_PLAN_STATES):
        plan_close(actor=actor, plan=plan, on=max(on, plan.made_on), exit=True)


@receiver(subject_reinstated, sender=MonitoringSubject)
def _reopen_help(sender, *, subject, actor, exited_on, reason, **kwargs) -> None:
    """三(九) 重新审核认定: the subject returns to monitoring with its help."""
    plan_reopen_after_exit(actor=actor, subject=subject, exited_on=exited_on, reason=reason)
