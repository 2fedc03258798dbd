"""The org picker's suggestions (:mod:`jiceng.core.picker`): only orgs the user may see."""

from django.contrib.auth.decorators import login_required

from jiceng.core.picker import Tree, answer
from jiceng.orgs.models import Org
from jiceng.orgs.services.tree import ancestor_org_codes

PICK_TREE = Tree(Org, ancestor_org_codes)


@login_required
def org_pick(request):
    return answer(request, PICK_TREE)
