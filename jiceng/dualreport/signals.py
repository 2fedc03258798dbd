"""Signals other apps listen to (sent inside the service's transaction): 党员积分 awards points."""

from django.dispatch import Signal

service_confirmed = Signal()  # sender=Service, service=, actor=
service_corrected = Signal()  # sender=Service, service=, actor=
