"""Awards from other apps' events.

* 双报到: a service confirmed by the community awards ``dual_service`` points; a correction of a
  confirmed service reverses the award and awards again from the corrected record (its date may
  move it to another year).
* 志愿服务: approved hours of a volunteer who is a party member (``volunteer.member``) award
  ``volunteer_hours`` points per hour, dated the day served (the record is the source: once).
* 共建清单: a claim completed by a party member (not a unit) awards ``cobuild_claim`` points, one
  per claim, dated the day it was completed.
"""

from django.dispatch import receiver
from django.utils import timezone

from jiceng.cobuild.services import claim_completed
from jiceng.dualreport.signals import service_confirmed, service_corrected
from jiceng.volunteers.signals import hours_approved

from . import services

KIND = "dual_service"


@receiver(service_confirmed, dispatch_uid="points.dual_service_confirmed")
def on_dual_confirmed(sender, service, actor=None, **kwargs):
    services.award(KIND, service.pk, service.member, 1, service.served_on, actor=actor, note=service.content[:60])


@receiver(service_corrected, dispatch_uid="points.dual_service_corrected")
def on_dual_corrected(sender, service, actor=None, **kwargs):
    services.reverse(KIND, service.pk, actor=actor, note="双报到服务记录更正，冲销原积分")
    services.award(KIND, service.pk, service.member, 1, service.served_on, actor=actor, note=service.content[:60])


@receiver(claim_completed, dispatch_uid="points.cobuild_claim_completed")
def on_claim_completed(sender, claim, actor=None, **kwargs):
    if claim.member_id is None:  # a resident unit's claim: no member to award
        return
    when = timezone.localdate(claim.completed_at) if claim.completed_at else None
    services.award("cobuild_claim", claim.pk, claim.member, 1, when, actor=actor, note=claim.item.title[:60])


@receiver(hours_approved, dispatch_uid="points.volunteer_hours_approved")
def on_hours_approved(sender, record, actor=None, **kwargs):
    member = record.volunteer.member
    if member is None:  # a resident volunteer: no party member to award
        return
    services.award(
        "volunteer_hours", record.pk, member, record.hours, record.served_on, actor=actor, note=record.content[:60]
    )
