from django import forms
from django.contrib.auth.forms import AuthenticationForm

from jiceng.core.inputs import DateField


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
