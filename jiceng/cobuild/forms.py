"""Page forms of 共建清单 (the services check everything again; these read what was typed)."""

from django import forms

from jiceng.areas.models import Area, Level
from jiceng.core.inputs import DateField
from jiceng.core.scope import scope_for

from .models import Category, Item, Kind, MenuEvent, Visibility
from .permissions import ITEM_ADD

DATE = {"type": "date"}


def publish_areas(user) -> list[tuple[str, str]]:
    """The streets and communities where ``user`` may publish (one query, at most 300)."""
    scope = scope_for(user, ITEM_ADD)
    if scope.empty:
        return []
    rows = (
        Area.objects.filter(scope.q(area="code"), level__in=[Level.STREET, Level.COMMUNITY])
        .order_by("code")
        .values_list("code", "name", "level")[:300]
    )
    return [(code, f"{name}（{Level(level).label}）") for code, name, level in rows]


def category_choices() -> list[tuple[str, str]]:
    """Leaf categories (a second-level one, or a first-level one without children): one query."""
    rows = list(Category.objects.filter(active=True).select_related("parent").order_by("parent__order", "order", "id"))
    parents = {c.parent_id for c in rows}
    return [("", "请选择类别")] + [(str(c.pk), c.label) for c in rows if c.pk not in parents]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="清单", choices=Kind.choices)
    title = forms.CharField(label="名称", max_length=80)
    category = forms.ChoiceField(label="类别", choices=())
    area = forms.ChoiceField(label="发布社区/街道", choices=())
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=100000,
        initial=1,
        help_text="可分割的事项填总数（如20名志愿者、50份餐盒），可由多方分别认领",
    )
    unit_label = forms.CharField(label="计量单位", max_length=8, initial="项", help_text="人、份、次、场、项")
    visibility = forms.ChoiceField(label="公开范围", choices=Visibility.choices, initial=Visibility.COMMUNITY)
    description = forms.CharField(
        label="内容", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expires_on = DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs=DATE), help_text="不填按规则默认期限"
    )
    event = forms.ChoiceField(label="纳入民生菜单招亲会", choices=(), required=False)
    owner_name = forms.CharField(label="项目负责人", max_length=40, required=False)
    budget = forms.DecimalField(label="预算（元）", max_digits=12, decimal_places=2, min_value=0, required=False)
    matches = forms.MultipleChoiceField(label="对接的需求和资源（项目）", choices=(), required=False)

    def __init__(self, *args, user=None, items=(), events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["area"].choices = [("", "请选择"), *publish_areas(user)]
        self.fields["event"].choices = [("", "不纳入")] + [(str(e.pk), e.title) for e in events]
        self.fields["matches"].choices = [(str(i.pk), f"{i.get_kind_display()}：{i.title}") for i in items]
        self.fields["matches"].widget.attrs["size"] = 6


class ClaimForm(forms.Form):
    quantity = forms.IntegerField(label="认领数量", min_value=1, initial=1)
    unit = forms.ChoiceField(label="认领方", choices=(), required=False)
    note = forms.CharField(label="认领说明", max_length=300, required=False)

    def __init__(self, *args, claimers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(claimers)
        if not claimers:
            del self.fields["unit"]


class EventForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=80, initial="民生菜单招亲会")
    area = forms.ChoiceField(label="举办社区/街道", choices=())
    opens_at = forms.DateTimeField(
        label="开始认领时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="地点", max_length=80, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "请选择"), *publish_areas(user)]


class CategoryForm(forms.Form):
    name = forms.CharField(label="类别名称", max_length=40)
    parent = forms.ModelChoiceField(
        label="上级类别",
        queryset=Category.objects.filter(parent__isnull=True),
        required=False,
        empty_label="（一级类别）",
    )
    order = forms.IntegerField(label="排序", min_value=0, max_value=999, initial=100)


class NeedFromAppealForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=())
    quantity = forms.IntegerField(label="数量", min_value=1, initial=1)
    description = forms.CharField(label="需求内容", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    milestone = forms.ChoiceField(label="完成节点", choices=(), required=False)

    def __init__(self, *args, item: Item | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        open_ones = [(str(m.pk), m.title) for m in (item.milestones.all() if item else []) if m.done_on is None]
        self.fields["milestone"].choices = [("", "无"), *open_ones]


class CloseForm(forms.Form):
    reason = forms.CharField(label="关闭原因", max_length=200)


def put_error(form, exc, fields) -> None:
    """A service refusal onto the form: each field's error on its field, all at once."""
    for error in getattr(exc, "errors", [exc]):
        form.add_error(error.code if error.code in fields and error.code in form.fields else None, error.message)


__all__ = ["MenuEvent", "put_error"]
