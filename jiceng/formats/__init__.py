"""The site's date formats (settings.FORMAT_MODULE_PATH), over Django's zh_Hans ones.

One format everywhere a user types or reads a date in a form: ``YYYY-MM-DD``, the value an
``<input type="date">`` holds. Django's zh_Hans default renders ``2026/12/06`` first, which a date input
cannot show, so a pre-filled date came back empty (or was rejected) when the form was submitted.
"""
