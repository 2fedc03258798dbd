"""The appeals' refusals, raised by every service module of this app."""

from django.core.exceptions import ValidationError


class AppealError(ValidationError):
    """Bad input for an appeal service (missing reason, unknown category …): HTTP 400."""


class TransitionError(AppealError):
    """The transition is not allowed in the appeal's current state: HTTP 409."""
