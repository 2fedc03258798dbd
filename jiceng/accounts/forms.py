"""Forms of the login page and of 系统管理. They check the input; the services check authority."""

import json

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from jiceng.accounts.models import User
from jiceng.accounts.roles import ROLES
from jiceng.core.inputs import DateField
from jiceng.core.phones import PhoneError, normalize_phone
from jiceng.core.picker import AreaPicker, OrgPicker


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次输错，账号将被暂时锁定。",
        "inactive": "该账号已停用。",
    }


class AuditSearchForm(forms.Form):
    """The audit list's query: a bad or out-of-range day is a form error (the page answers 400)."""

    q = forms.CharField(required=False)
    start = DateField(label="开始日期", required=False)
    end = DateField(label="结束日期", required=False)


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。"}


class PasswordPairMixin(forms.Form):
    """Two password fields that must agree and pass the site's password validators."""

    password1 = forms.CharField(label="密码", widget=forms.PasswordInput, error_messages=_required("密码"))
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput, error_messages=_required("确认密码"))

    def account_for_validation(self) -> User:
        raise NotImplementedError

    def clean(self):
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        elif first:
            try:
                validate_password(first, self.account_for_validation())
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserCreateForm(PasswordPairMixin):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=[UnicodeUsernameValidator(message="用户名只能包含字母、数字和 @ . + - _ 。")],
        error_messages={**_required("用户名"), "max_length": "用户名最多150个字符。"},
        help_text="登录时使用，建议用拼音或工号。",
    )
    display_name = forms.CharField(
        label="姓名", max_length=50, error_messages={**_required("姓名"), "max_length": "姓名最多50个字。"}
    )
    phone = forms.CharField(label="手机号", max_length=20, required=False, help_text="11位手机号，或带区号的固定电话。")
    area = forms.CharField(
        label="所属区划", max_length=21, widget=AreaPicker, error_messages={"required": "请选择所属区划。"}
    )
    field_order = ["username", "display_name", "phone", "area", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "初始密码"
        self.fields["area"].help_text = "账号归属的单位；由该区划及其上级的管理员管理。"

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        try:
            return normalize_phone(phone, "手机号") if phone else ""
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc

    def account_for_validation(self) -> User:
        return User(username=self.data.get("username", ""), display_name=self.data.get("display_name", ""))


class PasswordResetForm(PasswordPairMixin):
    def __init__(self, *args, account: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["password1"].label = "新密码"

    def account_for_validation(self) -> User:
        return self.account


class GrantForm(forms.Form):
    """A role and the node it is granted on: an area, a party organisation or a department."""

    role = forms.ChoiceField(
        label="角色", error_messages={"required": "请选择角色。", "invalid_choice": "请选择角色。"}
    )
    area = forms.CharField(label="区划", required=False, max_length=21, widget=AreaPicker)
    org = forms.CharField(label="党组织", required=False, max_length=48, widget=OrgPicker)
    department = forms.ChoiceField(label="职能部门", required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self.fields["role"], [("", "请选择"), *((role.key, role.label) for role in ROLES.values())])
        # Read by static/jiceng/grant-form.js to show only the picker the role needs.
        self.fields["role"].widget.attrs["data-role-nodes"] = json.dumps({r.key: r.node for r in ROLES.values()})
        set_choices(self.fields["department"], [("", "—"), *((str(d.pk), d.name) for d in departments)])
        self.fields["role"].help_text = "党支部书记授予在党组织上，职能部门授予在部门上，其余角色授予在区划上。"

    def clean(self):
        data = super().clean() or {}
        role = ROLES.get(data.get("role") or "")
        if role is not None and not data.get(role.node):
            label = {"area": "区划", "org": "党组织", "department": "职能部门"}[role.node]
            self.add_error(role.node, f"“{role.label}”须选择授予的{label}。")
        return data


class TokenForm(forms.Form):
    label = forms.CharField(
        label="用途",
        max_length=60,
        error_messages={**_required("用途"), "max_length": "用途最多60个字。"},
        help_text="如“数据对接”“手机客户端”，便于日后辨认和撤销。",
    )


def set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"not a choice field: {field!r}")
    field.choices = choices
