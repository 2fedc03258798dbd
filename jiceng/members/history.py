"""The member's history as pages and the API show it: the stored events, plus the Excel import.

An Excel import writes hundreds of thousands of rows by COPY and no event per row (issue 3,
item 7); each row records its job instead (``Member.import_job``). The history's first entry,
"Excel 导入" (who, when, which file), is built here from that job, as an unsaved
:class:`MemberEvent` so templates and serializers treat it like any other entry.
"""

from django.utils import timezone

from jiceng.core.models import ExcelJob

from .models import Member, MemberEvent

IMPORT_KIND = "excel_import"


def import_event(member: Member) -> MemberEvent | None:
    """The "Excel 导入" entry of an imported member (one query), or None for anyone else."""
    if not member.import_job_id:
        return None
    job = ExcelJob.objects.select_related("user").filter(pk=member.import_job_id).first()
    at = (job.finished_at if job is not None else None) or member.created_at
    if job is None:
        # The job row is gone (its user was deleted): the member still came in by import.
        summary, actor = "Excel 导入（导入记录已删除）", None
    else:
        summary, actor = f"Excel 导入，文件：{job.original_name or '（未记录文件名）'}", job.user
    event = MemberEvent(member=member, kind=IMPORT_KIND, summary=summary[:300], actor=actor)
    event.at = at
    event.on_date = timezone.localdate(at) if at else None
    event.job = job
    return event


def member_history(member: Member, limit: int) -> list[MemberEvent]:
    """Newest first, the import (the oldest entry) last."""
    events = list(member.events.select_related("actor", "from_org", "to_org")[:limit])
    imported = import_event(member)
    if imported is not None:
        events.append(imported)
    return events
