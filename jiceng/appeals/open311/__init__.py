"""Open311 GeoReport v2 at ``/open311/v2/`` (see ``/work/shared/OPEN311.md`` and ``views.py``)."""
