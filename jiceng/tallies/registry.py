"""What the tallies app plugs into the platform: the nightly rebuild of its counters."""

from datetime import timedelta

from jiceng.core.registry import AppRegistry, Job

REGISTRY = AppRegistry(jobs=(Job("jiceng.tallies.tasks.rebuild_tallies", timedelta(hours=24)),))
