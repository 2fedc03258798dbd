"""Worker tasks of organisational life (periodic ones are enqueued by the scheduler, core.schedule)."""

from django.utils import timezone
from django_tasks import task


@task()
def rebuild_held_facts(year: int | None = None) -> dict:
    """The yearly roll-up: rewrite the held facts (HeldMonth) of ``year`` (default: this year, and
    in January also last year, whose December meetings may have been closed late) from the
    meetings, and with them the compliance roll-up (``rollup``) of that year. Repairs drift and
    applies a changed frequency rule to what counts as late and which types a period requires."""
    from .held import rebuild

    today = timezone.localdate()
    years = [year] if year else ([today.year - 1, today.year] if today.month == 1 else [today.year])
    return {str(y): rebuild(y) for y in years}
