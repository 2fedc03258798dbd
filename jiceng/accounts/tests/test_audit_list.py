"""The audit list's date filter: a day outside the platform's range is the page's form error (400)."""

import pytest

from jiceng.areas.services import update_area


@pytest.mark.parametrize(
    ("query", "label"),
    [("start=0001-01-01", "开始日期"), ("end=9999-12-31", "结束日期"), ("start=2025-13-45", "开始日期")],
)
def test_a_day_out_of_range_is_a_form_error(client, superuser, tree, query, label):
    client.force_login(superuser)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{label}：" in page and 'class="alert alert-danger"' in page


def test_days_in_range_filter_the_list(client, superuser, tree):
    update_area(superuser, tree.grid1, name="北安门社区一网格")
    client.force_login(superuser)
    response = client.get("/audit/?start=2000-01-01&end=2099-12-31")
    assert response.status_code == 200
    assert "北安门社区一网格" in response.content.decode()
    assert "北安门社区一网格" not in client.get("/audit/?end=2000-01-01").content.decode()
