"""Jiceng's settings, with the URLs of bench/floor_urls.py: the product's routes and the floor route.

Used by the create benchmark's gunicorn only (``DJANGO_SETTINGS_MODULE=bench.settings``).
"""

from jiceng.settings import *  # noqa: F403 (the product's settings, unchanged but for the URLs)

ROOT_URLCONF = "bench.floor_urls"
