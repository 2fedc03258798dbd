"""微心愿 export: the list's filter, the beneficiary masked as on the page for whoever exports."""

from jiceng.core.excel import Column, Spec, write_rows

from .filtersets import WishFilterSet
from .models import Wish
from .privacy import WishPrivacy

HEADERS = [
    ("心愿", 24),
    ("状态", 8),
    ("社区", 16),
    ("心愿人", 10),
    ("电话", 14),
    ("住址", 30),
    ("认领人", 16),
    ("发布日期", 12),
    ("送达日期", 12),
    ("确认日期", 12),
]
WISH_SPEC = Spec("wishes", "微心愿", tuple(Column(h, f"col{i}") for i, (h, _) in enumerate(HEADERS)))


class WishExporter:
    label = "微心愿"
    checked_rows = False

    def __init__(self):
        self.audit_extra: dict = {}
        self.area_path = ""

    def queryset(self, user, params):
        from jiceng.members.exporter import params_querydict

        filterset = WishFilterSet(params_querydict(params), queryset=Wish.objects.visible_to(user, "view"))
        if not filterset.is_valid():
            return Wish.objects.none()
        return filterset.qs.select_related("community", "claimer_member", "claimer_unit").order_by("area_path", "id")

    def headers(self) -> list[str]:
        return [h for h, _ in HEADERS]

    def write(self, user, queryset, target, progress=None) -> int:
        privacy = WishPrivacy(user)

        def day(value):
            return f"{value:%Y-%m-%d}" if value else ""

        def rows():
            for w in queryset.iterator(chunk_size=500):
                shown = privacy.shown(w)
                yield [
                    w.title,
                    w.get_status_display(),
                    w.community.name,
                    shown.name,
                    shown.phone,
                    shown.address,
                    w.claimer_name,
                    day(w.created_at),
                    day(w.delivered_at),
                    day(w.confirmed_at),
                ]

        return write_rows(target, "微心愿", self.headers(), rows(), [w for _, w in HEADERS], progress=progress)
