"""A throwaway app built the way docs/development.md §6 says, to prove that it plugs in by itself.

Installed only by jiceng/core/tests/test_add_an_app.py (``override_settings(INSTALLED_APPS=...)``).
"""
