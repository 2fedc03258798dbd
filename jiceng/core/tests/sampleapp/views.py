from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from jiceng.core.scope import scope_for

from .permissions import THING_VIEW


@login_required
def index(request):
    scope = scope_for(request.user, THING_VIEW)
    if scope.empty:
        raise PermissionDenied("您没有查看样例的权限。")
    return HttpResponse("样例：" + "、".join(scope.areas))
