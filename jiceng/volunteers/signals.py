"""Signals other apps may connect to (the one public hook of 志愿服务).

``hours_approved(sender=HoursRecord, record=<HoursRecord>, actor=<User | None>)`` is sent once
for every hours record that becomes approved (verified attendance at sign-out, a self-report or a
redeemed service approved by the community), INSIDE the approving transaction, after the hours
were credited to the 时间银行: a receiver's writes (党员积分 awarding points, for a record whose
``volunteer.member`` is set) commit or roll back together with the approval, and a receiver that
raises refuses the approval. Receivers must be idempotent per ``record.pk``.
"""

from django.dispatch import Signal

hours_approved = Signal()
