from rest_framework import viewsets
from rest_framework.response import Response

from jiceng.core.scope import scope_for

from .permissions import THING_VIEW


class ThingViewSet(viewsets.ViewSet):
    """样例：调用者持有样例权限的区划编码。"""

    def list(self, request):
        return Response({"areas": list(scope_for(request.user, THING_VIEW).areas)})
