from datetime import timedelta

from jiceng.core.registry import ApiRoute, AppRegistry, Job, MenuEntry, Permission, UrlMount

from .permissions import THING_VIEW

REGISTRY = AppRegistry(
    permissions=(Permission(THING_VIEW, "查看样例", ("community",)),),
    menu=(MenuEntry("样例", "sampleapp:index", THING_VIEW, "dot", order=950),),
    jobs=(Job("jiceng.core.tests.sampleapp.tasks.count_holders", timedelta(hours=1)),),
    urls=(UrlMount("sample/", "jiceng.core.tests.sampleapp.urls"),),
    api_routes=(ApiRoute("sample-things", "jiceng.core.tests.sampleapp.api.ThingViewSet", "sample-thing"),),
    rules=("jiceng.core.tests.sampleapp.rules",),
)
