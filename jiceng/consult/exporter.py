"""协商议事 export: the list's filter in date order."""

from jiceng.core.excel import Column, Spec, write_rows

from .filtersets import ConsultationFilterSet
from .models import Consultation

HEADERS = [
    ("日期", 12),
    ("类型", 10),
    ("区划", 16),
    ("议题", 24),
    ("居民代表", 8),
    ("单位代表", 8),
    ("党员代表", 8),
    ("业委会", 8),
    ("议事内容", 40),
    ("议定事项", 40),
    ("后续落实", 30),
    ("落实情况", 8),
]
CONSULT_SPEC = Spec("consultations", "协商议事", tuple(Column(h, f"col{i}") for i, (h, _) in enumerate(HEADERS)))


class ConsultationExporter:
    label = "协商议事"
    checked_rows = False

    def __init__(self):
        self.audit_extra: dict = {}
        self.area_path = ""

    def queryset(self, user, params):
        from jiceng.members.exporter import params_querydict

        filterset = ConsultationFilterSet(
            params_querydict(params), queryset=Consultation.objects.visible_to(user, "view")
        )
        if not filterset.is_valid():
            return Consultation.objects.none()
        return filterset.qs.select_related("area").order_by("held_on", "id")

    def headers(self) -> list[str]:
        return [h for h, _ in HEADERS]

    def write(self, user, queryset, target, progress=None) -> int:
        def rows():
            for c in queryset.iterator(chunk_size=500):
                yield [
                    f"{c.held_on:%Y-%m-%d}",
                    c.get_kind_display(),
                    c.area.name,
                    c.title,
                    c.residents,
                    c.unit_reps,
                    c.member_reps,
                    c.owners_committee,
                    c.topics,
                    c.decisions,
                    c.follow_up,
                    c.get_follow_up_status_display(),
                ]

        return write_rows(target, "协商议事", self.headers(), rows(), [w for _, w in HEADERS], progress=progress)
