"""Issue, list or disable Open311 API keys (``POST /open311/v2/requests`` needs one)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiceng.appeals.open311.models import ApiKey
from jiceng.areas.models import Area


class Command(BaseCommand):
    help = "签发、列出或停用 Open311 接口密钥。签发：open311_key --name 名称 [--area 区划编码] [--owner 用户名]"

    def add_arguments(self, parser):
        parser.add_argument("--name", help="使用该密钥的系统或单位")
        parser.add_argument("--area", default="", help="可提交区域的区划编码（含下级）；留空为全市")
        parser.add_argument("--owner", default="", help="责任账号的用户名（以其登记权限提交）")
        parser.add_argument("--list", action="store_true", help="列出全部密钥")
        parser.add_argument("--disable", metavar="PREFIX", help="停用前缀为 PREFIX 的密钥")

    def handle(self, *args, name=None, area="", owner="", list=False, disable=None, **options):
        if list:
            for key in ApiKey.objects.select_related("area", "owner"):
                where = key.area.code if key.area_id else "全市"
                state = "启用" if key.is_active else "停用"
                self.stdout.write(f"{key.prefix}…\t{key.name}\t{where}\t{key.owner or '-'}\t{state}")
            return
        if disable:
            count = ApiKey.objects.filter(prefix=disable).update(is_active=False)
            if not count:
                raise CommandError(f"没有前缀为 {disable} 的密钥。")
            self.stdout.write(f"已停用 {count} 个密钥。")
            return
        if not name:
            raise CommandError("请用 --name 说明密钥给谁使用。")
        area_obj = Area.objects.filter(code=area).first() if area else None
        if area and area_obj is None:
            raise CommandError(f"区划编码 {area} 不存在。")
        owner_obj = get_user_model().objects.filter(username=owner).first() if owner else None
        if owner and owner_obj is None:
            raise CommandError(f"用户 {owner} 不存在。")
        key, raw = ApiKey.issue(name, area=area_obj, owner=owner_obj)
        self.stdout.write(f"已签发“{key.name}”的密钥（只显示这一次，请妥善保存）：\n{raw}")
