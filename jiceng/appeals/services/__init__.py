"""The appeal workflow (接诉即办) as an explicit state machine, and every other write of the appeals app.

::

    受理 accepted ──派单──▶ dispatched ──签收──▶ signed ──办理──▶ handling ──答复──▶ answered
        ▲  │                 │  ▲ 改派          │                  │                  │ 回访
        │  └──撤销/合并       │  └──────────────┴───退单──▶ returned ┘                  ▼
        │                    ▼                                  (再派单)            rated ──办结──▶ closed
        └────────────── returned ◀──────────────────────────────────────────────── │ └──重办──▶ dispatched

Each public transition is one verb: it checks the actor's role and scope, refuses an illegal
transition with the reason in Chinese (:class:`TransitionError`), changes the row with a
conditional ``UPDATE … WHERE status = <the status it checked>`` (after a ``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), writes a timeline event and an
audit record, updates the rate tables (:mod:`jiceng.appeals.stats`) and notifies the people
concerned, all in one transaction. Two handlers signing for the same appeal at once: exactly one
wins, the other gets "已被签收". Pages, the API and Open311 call these functions directly.

- :mod:`.access` — who may do what (``may``, ``is_handler``), the reporter's masking;
- :mod:`.common` — the machinery the transitions share (lock, conditional save, event, audit);
- :mod:`.intake` — 受理 and photos; :mod:`.dispatch` — the suggestion and 派单;
- :mod:`.handling` — 签收, 办理, 答复, 退单; :mod:`.extensions` — 延期;
- :mod:`.closing` — 回访, 办结, 重办; :mod:`.supervision` — 督办, 合并, 撤销;
- :mod:`.deadlines` — the scheduler's scans (overdue, reminders, closing unrated answers);
- :mod:`.whistles` — 吹哨报到; :mod:`.catalogue` — the service catalogue;
- :mod:`.notifications` — in-app notifications, their recipients and emails.

Callers import from ``jiceng.appeals.services``; the split into modules is an implementation detail.
"""

from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.intake import resolve_location, validate_attributes, validate_photo
from jiceng.appeals.services.access import (
    CANCELLABLE,
    INTERNAL_FIELDS,
    appeal_events,
    display_reporter,
    is_handler,
    is_reporter,
    mask_name,
    may,
    reporter_visible,
    staff_view,
    visible_events,
)
from jiceng.appeals.services.catalogue import create_category, update_category
from jiceng.appeals.services.closing import close_appeal, rate_appeal, reopen_appeal
from jiceng.appeals.services.deadlines import (
    auto_close_unrated,
    mark_dispatch_overdue,
    mark_overdue,
    mark_response_overdue,
    overdue_candidates,
    send_reminders,
)
from jiceng.appeals.services.dispatch import (
    DISPATCH_LEVELS,
    LEVEL_LENGTH,
    Suggestion,
    check_target,
    departments_serving,
    dispatch_appeal,
    suggest_dispatch,
)
from jiceng.appeals.services.extensions import decide_extension, request_extension
from jiceng.appeals.services.handling import answer_appeal, record_progress, return_appeal, sign_appeal
from jiceng.appeals.services.intake import add_photo, appeal_number, create_appeal, create_open311_request
from jiceng.appeals.services.supervision import cancel_appeal, merge_appeal, supervise_appeal
from jiceng.appeals.services.whistles import (
    WHISTLE_LEVELS,
    blow_whistle,
    close_whistle,
    escalate_overdue_summons,
    feedback_summons,
    rate_summons,
    rating_scale,
    report_minutes,
    report_summons,
)

__all__ = [
    "CANCELLABLE",
    "DISPATCH_LEVELS",
    "INTERNAL_FIELDS",
    "LEVEL_LENGTH",
    "WHISTLE_LEVELS",
    "AppealError",
    "Suggestion",
    "TransitionError",
    "add_photo",
    "answer_appeal",
    "appeal_events",
    "appeal_number",
    "auto_close_unrated",
    "blow_whistle",
    "cancel_appeal",
    "check_target",
    "close_appeal",
    "close_whistle",
    "create_appeal",
    "create_category",
    "create_open311_request",
    "decide_extension",
    "departments_serving",
    "dispatch_appeal",
    "display_reporter",
    "escalate_overdue_summons",
    "feedback_summons",
    "is_handler",
    "is_reporter",
    "mark_dispatch_overdue",
    "mark_overdue",
    "mark_response_overdue",
    "mask_name",
    "may",
    "merge_appeal",
    "overdue_candidates",
    "rate_appeal",
    "rate_summons",
    "rating_scale",
    "record_progress",
    "reopen_appeal",
    "report_minutes",
    "report_summons",
    "reporter_visible",
    "request_extension",
    "resolve_location",
    "return_appeal",
    "send_reminders",
    "sign_appeal",
    "staff_view",
    "suggest_dispatch",
    "supervise_appeal",
    "update_category",
    "validate_attributes",
    "validate_photo",
    "visible_events",
]
