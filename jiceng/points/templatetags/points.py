"""``{% member_points member %}``: the 积分 section of a member's page."""

from django import template
from django.utils import timezone

from jiceng.points.models import Award, YearTotal
from jiceng.points.services import member_points

register = template.Library()


@register.inclusion_tag("points/_member_section.html")
def member_points_section(member):
    year = timezone.localdate().year
    return {
        "member": member,
        "year": year,
        "total": member_points(member, year),
        "last_year": member_points(member, year - 1),
        "awards": list(Award.objects.filter(member=member).order_by("-awarded_on", "-id")[:5]),
        "kinds": list(YearTotal.objects.filter(member=member, year=year).exclude(source_kind="")),
    }
