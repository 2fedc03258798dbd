from django_tasks import task

from jiceng.accounts.models import RoleAssignment

from .permissions import THING_VIEW


@task()
def count_holders() -> int:
    """How many role assignments grant the sample's permission (a periodic job of the sample)."""
    from jiceng.accounts.roles import roles_holding

    return RoleAssignment.objects.filter(role__in=roles_holding(THING_VIEW)).count()
