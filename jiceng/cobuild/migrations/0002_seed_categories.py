"""The starting category tree (the city edits it afterwards), from the seeds' lists: 助老、托幼、
环境、文体、法律、医疗、就业, and the resources units offer: 场地设施、志愿服务、资金、物资、专业技能
(seeds 000, 001, 003: 资源清单 of 党建、教育、文化、体育、停车 facilities)."""

from django.db import migrations

TREE = [
    ("为老服务", ["助餐送餐", "日间照料", "探访关爱"]),
    ("儿童与家庭", ["四点半课堂", "假期托管", "家庭教育"]),
    ("环境与设施", ["环境整治", "加装电梯", "停车共享"]),
    ("文体活动", ["文艺演出", "体育健身", "阅读学习"]),
    ("法律与调解", ["法律咨询", "矛盾调解"]),
    ("医疗健康", ["义诊体检", "健康讲座"]),
    ("就业与帮扶", ["就业指导", "困难帮扶"]),
    ("场地设施", ["会议活动场地", "体育文化场馆"]),
    ("人力与技能", ["志愿服务", "专业技能"]),
    ("资金物资", ["资金支持", "物资捐赠"]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cobuild", "Category")
    for order, (name, children) in enumerate(TREE, start=1):
        parent, _ = Category.objects.get_or_create(parent=None, name=name, defaults={"order": order * 10})
        for child_order, child in enumerate(children, start=1):
            Category.objects.get_or_create(parent=parent, name=child, defaults={"order": child_order * 10})


class Migration(migrations.Migration):
    dependencies = [("cobuild", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
