"""Races on PostgreSQL: one active registration per member, one winner for the last place."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role
from jiceng.dualreport import services
from jiceng.dualreport.models import Registration, ServicePost, SignUp
from jiceng.orgs.tests.conftest import build_orgs

from .conftest import employed_member


def race(workers: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(workers)
    wins, errors = [], []

    def run(n):
        try:
            barrier.wait(timeout=10)
            wins.append(work(n))
        except services.DualError as exc:
            errors.append(exc)
        except BaseException as exc:  # collect, so the main thread can report it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return wins, errors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_member_have_one_winner():
    tree = build_tree()
    orgs = build_orgs(tree)
    user = UserFactory(username="racer")
    member = employed_member(orgs.grid1, "并发党员", residence=tree.building, user=user)
    communities = [tree.beianmen, tree.meiyuan_cm, tree.gongyuan] * 2
    wins, errors = race(len(communities), lambda n: services.register_member(user, member, communities[n]))
    assert len(wins) == 1
    assert len(errors) == len(communities) - 1
    assert all(isinstance(e, services.DualError) and e.code == "duplicate" for e in errors), errors
    assert Registration.objects.filter(member=member).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_for_the_last_place_have_one_winner():
    tree = build_tree()
    orgs = build_orgs(tree)
    staff = UserFactory(username="community_staff")
    assign_role(None, staff, "community", tree.beianmen)
    members = []
    for n in range(6):
        member = employed_member(
            orgs.grid1, f"报名党员{n}", residence=tree.building, user=UserFactory(username=f"m{n}")
        )
        registration = services.register_member(staff, member, tree.beianmen)
        services.confirm_registration(staff, registration)
        members.append(member)
    today = timezone.localdate()
    post = services.create_post(
        staff,
        tree.beianmen,
        title="最后一个名额",
        needs="值守",
        starts_on=today,
        ends_on=today + timedelta(days=3),
        places=1,
    )
    wins, errors = race(len(members), lambda n: services.sign_up(members[n].user, post, members[n]))
    assert len(wins) == 1
    assert all(isinstance(e, services.DualError) and e.code == "places" for e in errors), errors
    post.refresh_from_db()
    assert (post.taken, SignUp.objects.filter(post=post).count()) == (1, 1)
    assert ServicePost.objects.get(pk=post.pk).left == 0
