from jiceng.core.rules import Integer, register

THINGS_PER_PAGE = "sampleapp.things_per_page"
register(THINGS_PER_PAGE, "样例清单每页条数", 20, "样例应用的示范规则。", type=Integer(min_value=1))
