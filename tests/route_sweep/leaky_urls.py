"""The real URLs plus two deliberately unscoped views, to show that the sweep catches them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from jiceng.members.models import Member
from jiceng.urls import urlpatterns as real_urlpatterns


@login_required
def leaky_member(request, pk):
    # The mistake the sweep exists for: no visible_to, no get_object_for_user.
    member = Member.objects.get(pk=pk)
    return HttpResponse(member.name)


@login_required
def leaky_list(request):
    return HttpResponse(", ".join(Member.objects.values_list("name", flat=True)))


@login_required
def unmapped(request, ticket):
    return HttpResponse(ticket)


leaky_patterns = [
    path("members/<int:pk>/", leaky_member, name="member"),
    path("members/", leaky_list, name="member_list"),
    path("tickets/<slug:ticket>/", unmapped, name="ticket"),
]

urlpatterns = [path("leaky/", include((leaky_patterns, "leaky"))), *real_urlpatterns]
