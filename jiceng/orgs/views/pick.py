"""The org picker's suggestions (:mod:`jiceng.core.picker`): only orgs the user may see."""

from django.contrib.auth.decorators import login_required

from jiceng.core.picker import Tree, answer
from jiceng.orgs.models import ORG_CODE_MAX, Org

PICK_TREE = Tree(Org, tuple(range(3, ORG_CODE_MAX + 1, 3)))


@login_required
def org_pick(request):
    return answer(request, PICK_TREE)
