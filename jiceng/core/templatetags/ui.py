"""Presentation helpers shared by every page: number formatting, form widgets, audit entries."""

from decimal import Decimal, InvalidOperation

from django import forms, template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html

register = template.Library()


@register.filter
def num(value, dash: str = "—") -> str:
    """``1234567`` → ``1,234,567``.

    Chinese statistical tables group by thousands with commas; the zh-hans locale of Django has no
    thousands separator, so the usual ``intcomma`` would print the bare digits.
    """
    if value is None or value == "":
        return dash
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,}"


_WIDGET_CLASS = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


@register.filter
def widget(field, datalist: str = ""):
    """Render a bound field's widget with Tabler's classes, marked invalid when it has errors.

    ``datalist`` names a ``<datalist>`` of suggestions for a text input.
    """
    widget_class = "form-control"
    for base, css in _WIDGET_CLASS.items():
        if isinstance(field.field.widget, base):
            widget_class = css
            break
    classes = [field.field.widget.attrs.get("class", ""), widget_class]
    if field.errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(c for c in classes if c)}
    if datalist:
        attrs["list"] = datalist
        attrs["autocomplete"] = "off"
    if isinstance(field.field, forms.IntegerField | forms.DecimalField):
        attrs["inputmode"] = "decimal" if isinstance(field.field, forms.DecimalField) else "numeric"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


# Audit actions are verbs on a model (``create_area``); the verb and the model's verbose name make
# the Chinese label, so apps added later need no entry here unless the verb is new.
AUDIT_VERBS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "move": "移动",
    "import": "导入",
    "assign": "授予",
    "revoke": "撤销",
    "appoint": "任命",
    "vacate": "免去",
    "request": "申请",
    "accept": "接收",
    "reject": "退回",
    "issue": "开具",
    "record": "登记",
    "register": "登记",
    "expire": "过期",
    "view": "查看",
    "load": "加载",
}
AUDIT_ACTIONS = {
    "assign_role": "授予角色",
    "revoke_role": "撤销角色",
    "load_demo": "加载演示数据",
    "view_pii": "查看完整个人信息",
    "import_divisions": "导入行政区划",
}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@register.filter
def audit_action(log) -> str:
    action = log.action or ""
    if action in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[action]
    verb = action.split("_", 1)[0]
    if verb in AUDIT_VERBS:
        model = _model(log.object_type)
        return AUDIT_VERBS[verb] + (str(model._meta.verbose_name) if model else "")
    return action


@register.filter
def audit_object_type(log) -> str:
    model = _model(log.object_type)
    return str(model._meta.verbose_name) if model else log.object_type


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return num(value)
    return str(value)


@register.filter
def audit_changes(log) -> list[dict]:
    """Fields that changed (or were set), labelled in Chinese: ``[{label, before, after}]``."""
    before = log.before if isinstance(log.before, dict) else {}
    after = log.after if isinstance(log.after, dict) else {}
    model = _model(log.object_type)
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        rows.append(
            {
                "label": _field_label(model, key),
                "before": _show(old) if key in before else "",
                "after": _show(new) if key in after else "",
            }
        )
    return rows


@register.simple_tag
def sort_th(state, name: str, css: str = "", label: str = ""):
    """A sortable column header (:class:`jiceng.core.sorting.SortState`): a link that keeps the
    filters, sorts by the column (the other way when it is the current sort) and shows an arrow.
    Without a sort state (a list that offers none) it is a plain header."""
    from jiceng.core.sorting import SortState

    if not isinstance(state, SortState) or name not in state.sorts.by_name:
        return format_html('<th class="{}">{}</th>', css, label or name)
    head = state.header(name)
    return format_html(
        '<th class="{}" aria-sort="{}"><a class="sort-link{}" href="{}" title="{}">{}'
        '<span class="sort-arrow" aria-hidden="true">{}</span></a></th>',
        css,
        head["aria"],
        " active" if head["active"] else "",
        head["url"],
        head["title"],
        label or head["label"],
        head["arrow"],
    )


@register.inclusion_tag("includes/sort_bar.html")
def sort_bar(state, always: bool = False):
    """The same sorts as the headers, as a row of links for the phone (where headers are hidden);
    ``always`` shows it at every width (a sort with no column of its own, like the 派单台's
    答复时限 beside its 剩余时限 column)."""
    from jiceng.core.sorting import SortState

    heads = [state.header(sort.name) for sort in state.sorts.columns] if isinstance(state, SortState) else []
    return {"heads": heads, "always": always}


@register.simple_tag
def picker(tree: str, name: str, value="", label: str = "", id: str = ""):
    """A filter form's area or org picker (:mod:`jiceng.core.picker`) where the form is written by
    hand: ``{% picker "area" "area" request.GET.area label="区划（含下级）" id="filter-area" %}``."""
    from jiceng.core.picker import AreaPicker, OrgPicker

    widget = {"area": AreaPicker, "org": OrgPicker}[tree]()
    attrs = {"class": "form-control", "aria-label": label, "id": id or f"picker-{name}"}
    return widget.render(name, value or "", attrs)
