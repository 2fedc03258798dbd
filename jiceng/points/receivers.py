"""Awards from other apps' events.

* 双报到: a service confirmed by the community awards ``dual_service`` points; a correction of a
  confirmed service reverses the award and awards again from the corrected record (its date may
  move it to another year).
* 志愿服务 (``hours_approved``) and 共驻共建 claims: those apps call :func:`points.services.award`
  themselves after they land (kinds ``volunteer_hours`` and ``cobuild_claim`` are in the scheme).
"""

from django.dispatch import receiver

from jiceng.dualreport.signals import service_confirmed, service_corrected

from . import services

KIND = "dual_service"


@receiver(service_confirmed, dispatch_uid="points.dual_service_confirmed")
def on_dual_confirmed(sender, service, actor=None, **kwargs):
    services.award(KIND, service.pk, service.member, 1, service.served_on, actor=actor, note=service.content[:60])


@receiver(service_corrected, dispatch_uid="points.dual_service_corrected")
def on_dual_corrected(sender, service, actor=None, **kwargs):
    services.reverse(KIND, service.pk, actor=actor, note="双报到服务记录更正，冲销原积分")
    services.award(KIND, service.pk, service.member, 1, service.served_on, actor=actor, note=service.content[:60])
