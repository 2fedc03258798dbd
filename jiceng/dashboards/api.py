"""``/api/v1/metrics/``: what can be shown, and ``/api/v1/metrics/figures/``: one node's figures.

The same figures as the dashboard page (both call :func:`jiceng.dashboards.services.build`).
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.metrics import PeriodError
from jiceng.core.registry import metric_sources, metrics
from jiceng.core.replica import replica_reads

from .services import TREE_LABELS, build, parse_period, unknown_metric


class MetricList(APIView):
    """平台上所有指标的定义：名称、单位、所属树（区划或党组织）、口径及依据、所需权限。"""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["metrics"])
    def get(self, request):
        sources = metric_sources()
        return Response(
            {
                "results": [
                    {
                        "key": m.key,
                        "label": m.label,
                        "unit": m.unit,
                        "tree": sources[m.source].tree,
                        "periodic": sources[m.source].periodic,
                        "percent": m.percent,
                        "group": m.group,
                        "definition": m.definition,
                        "permission": m.permission,
                    }
                    for m in metrics().values()
                ]
            }
        )


class MetricFigures(APIView):
    """一个节点（区划或党组织）在统计期内的指标、下级排行和近 12 个月趋势；只含本人有权查看的节点和指标。

    统计期写法：`2026-11`（月）、`2026-Q4`（季度）、`2026`（年）、`2026-01~2026-03`（月份区间）；缺省为本月。
    比率类指标（`percent: true`）取 0—1 的小数；无分母时为 null。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("tree", str, enum=list(TREE_LABELS), description="areas（区划）或 orgs（党组织）"),
            OpenApiParameter("node", str, required=True, description="节点编码"),
            OpenApiParameter("period", str, description="统计期"),
            OpenApiParameter("rank", str, description="下级排行所依据的指标"),
        ],
        responses={200: OpenApiTypes.OBJECT},
        tags=["metrics"],
    )
    def get(self, request):
        tree = request.query_params.get("tree") or "areas"
        if tree not in TREE_LABELS:
            raise exceptions.ValidationError({"tree": ["只能是 areas 或 orgs。"]})
        code = (request.query_params.get("node") or "").strip()
        if not code:
            raise exceptions.ValidationError({"node": ["请给出节点编码。"]})
        try:
            period = parse_period(request.query_params.get("period", ""), timezone.localdate())
        except PeriodError as exc:
            raise exceptions.ValidationError({"period": [str(exc)]}) from exc
        bad_metric = unknown_metric(request.query_params.get("rank", ""))
        if bad_metric:
            raise exceptions.ValidationError({"rank": [bad_metric]})
        with replica_reads():
            dashboard = build(request.user, tree, code, period, request.query_params.get("rank", ""))
        return Response(dashboard.as_json())
