"""Validation messages read as plain Chinese (jiceng/locale/zh_Hans over Django's zh_Hans wording),
and a form reports every field's error at once.

Before: "这个字段是必填项。", "确保该变量包含不超过 50 字符 (目前字符数 62)。", "输入一个有效的日期。",
"选择一个有效的选项。 x 不在可用的选项中。"."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jiceng.appeals.forms import IncidentWhistleForm
from jiceng.members.forms import MemberForm, PaymentForm
from jiceng.orgs.forms import OrgForm

CATALOGUE = Path(settings.BASE_DIR) / "jiceng" / "locale" / "zh_Hans" / "LC_MESSAGES"
# Django's own zh_Hans wording, which must not reach a user.
STILTED = ("这个字段", "确保该", "输入一个", "选择一个有效的选项", "确认")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _errors(form) -> dict[str, list[str]]:
    assert not form.is_valid()
    errors = {name: list(messages) for name, messages in form.errors.items()}
    for messages in errors.values():
        for message in messages:
            assert not any(word in message for word in STILTED), message
    return errors


def test_member_form_reports_every_field_at_once_in_plain_words():
    errors = _errors(
        MemberForm({"name": "张" * 62, "id_number": "", "status": "nonsense", "application_date": "2026/13/40"})
    )
    assert errors["name"] == ["最多 50 个字（现在 62 个）。"]
    assert errors["id_number"] == ["请填写此项。"]
    assert errors["ethnicity"] == ["请填写此项。"]
    assert errors["status"] == ["“nonsense”不在可选范围内，请重新选择。"]
    assert errors["application_date"] == ["日期无效，请按 2026-01-31 的格式填写。"]


def test_payment_form_numbers_and_dates():
    errors = _errors(PaymentForm({"month": "", "amount": "12.345", "paid_on": "昨天"}))
    assert errors == {
        "month": ["请填写此项。"],
        "amount": ["最多保留 2 位小数。"],
        "paid_on": ["日期无效，请按 2026-01-31 的格式填写。"],
    }
    assert _errors(PaymentForm({"month": "2026-01", "amount": "-1"}))["amount"] == ["不能小于 0。"]
    assert _errors(PaymentForm({"month": "2026-01", "amount": "十元"}))["amount"] == ["请填写数字。"]


def test_org_and_whistle_forms():
    errors = _errors(OrgForm({"short_name": "简" * 61}, parent=None))
    assert errors["name"] == errors["org_type"] == ["请填写此项。"]
    assert errors["short_name"] == ["最多 60 个字（现在 61 个）。"]
    errors = _errors(IncidentWhistleForm({"case": "enforcement", "title": ""}))
    assert errors["title"] == errors["departments"] == ["请填写此项。"]


@pytest.mark.django_db
def test_a_page_shows_the_plain_messages(client, tree, make_user):
    from jiceng.orgs.tests.conftest import build_orgs, make_members

    orgs = build_orgs(tree)
    member = make_members(orgs.grid1, 1)[0]
    client.force_login(make_user(role="community", area=tree.beianmen))
    url = reverse("members:member_dues", args=[member.pk])
    response = client.post(url, {"form": "pay", "pay-month": "", "pay-amount": "", "pay-paid_on": "2026/13/01"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("请填写此项。") == 2  # month and amount, together
    assert "日期无效，请按 2026-01-31 的格式填写。" in text and "这个字段是必填项" not in text


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_committed_catalogue_is_compiled_from_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(CATALOGUE / "django.po")], check=True)
    with fresh.open("rb") as new, (CATALOGUE / "django.mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(new)._catalog, (
            "run: manage.py compilemessages -l zh_Hans"
        )
