"""Rolled-up counters per node of the area and org trees, per month: the maintained aggregate
behind the metrics whose own app keeps no roll-up (meetings held, 双报到 services, orgs by type).

Written only by :mod:`jiceng.tallies.services` (``bump`` in the writer's transaction, ``rebuild``
from the app's own records).
"""

from datetime import date

from django.db import models

# The month of a stock (a count as of now, such as orgs by type).
STOCK = date(2000, 1, 1)


class NodeTally(models.Model):
    tree = models.CharField("树", max_length=5)  # "areas" or "orgs"
    code = models.CharField("节点编码", max_length=48)
    key = models.CharField("计数项", max_length=40)  # "orglife/held:congress" (no dot: a dotted value names a function)
    month = models.DateField("月份")  # first day; STOCK for a stock
    value = models.BigIntegerField("数值", default=0)

    class Meta:
        verbose_name = "节点计数"
        verbose_name_plural = "节点计数"
        constraints = [models.UniqueConstraint(fields=["tree", "code", "key", "month"], name="node_tally_key")]
        indexes = [models.Index(fields=["key", "tree", "code", "month"], name="node_tally_read")]

    def __str__(self) -> str:
        return f"{self.tree} {self.code} {self.key} {self.month:%Y-%m}: {self.value}"
