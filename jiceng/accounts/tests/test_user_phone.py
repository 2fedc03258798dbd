"""An account's phone (edited in the admin) goes through the one phone check, issue 13."""

import pytest
from django.core.exceptions import ValidationError

from jiceng.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_accounts_phone_is_checked():
    user = User(username="zhang", phone="138-1234")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "格式不正确" in exc.value.message_dict["phone"][0]
    user.phone = "13812341234"
    user.set_password("a long enough password 1")
    user.full_clean()
