"""Action tables: one per workflow (an appeal, a meeting, a claim, a registration …).

An entry names everything about one action: its key (the page's URL segment; with ``-`` for ``_``
the API's), its Chinese label, the service verb it calls and how (``run``), who may take it in
which state (``allowed``), its input (a serializer: the API's request body and its schema; the
page's form is derived from the same fields by :func:`serializer_form`), how the page shows it
(button style and the app's own extras: card title, folded or not, section) and what the page says
once it is done (``done``).

From these tables come the buttons and forms of the pages (the templates iterate them), the pages'
POST handling, the API's ``@action`` routes (:func:`jiceng.core.viewsets.add_api_actions`, or an
app's own where its routes answer differently) and their OpenAPI operations. A new action is its
service verb plus one entry.

:class:`Action` holds the fields every table shares; an app subclasses it (``kw_only``) with its
own: ``allowed``/``done`` in the shape its pages read them, and whatever else its pages show.
:class:`UserAction` is the common one: ``allowed(user, target)`` and ``done(result, data)``.

The page's form follows the serializer's fields; a field's DRF ``style`` says what the API's
field does not:

* ``hint``: the page's help text, where it differs from the API's;
* ``rows``: a text area of that many rows;
* ``radio``: radio buttons for a choice;
* ``pick``: a choice list the page fills from the object (its choices are per object);
* ``stars``: an integer rating as one choice per star, highest first;
* ``step``: a number input's step.

A text field that allows blank is optional on the page as in the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django import forms
from rest_framework import serializers as drf

from jiceng.core.inputs import DateField

# --------------------------------------------------------------------------- forms from the inputs


class PhotosField(forms.FileField):
    """One photo on a page; the services take a list (the API may send several)."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        return [value] if value else []


def yes(value) -> bool:
    """A 是/否 choice's value (or the API's boolean) as a boolean."""
    return value in (True, "true", "True", "1", 1)


def form_field(f: drf.Field) -> forms.Field:
    """The page's field for one serializer field: same label, requiredness, limits and choices."""
    style = f.style or {}
    required = f.required and not getattr(f, "allow_blank", False)
    common: dict[str, Any] = {"label": f.label, "required": required, "help_text": style.get("hint", f.help_text or "")}
    if isinstance(f, drf.ListField):
        if isinstance(f.child, drf.FileField):
            return PhotosField(**common)
        # Choices are the target's (a team's members, the departments serving a place): the page fills them.
        coerce = int if isinstance(f.child, drf.IntegerField) else str
        return forms.TypedMultipleChoiceField(coerce=coerce, widget=forms.CheckboxSelectMultiple, **common)
    if isinstance(f, drf.ImageField):
        return forms.ImageField(**common)
    if isinstance(f, drf.FileField):
        return forms.FileField(**common)
    if isinstance(f, drf.BooleanField):
        return forms.TypedChoiceField(choices=[("true", "是"), ("false", "否")], coerce=yes, **common)
    if style.get("pick"):
        if isinstance(f, drf.IntegerField):
            return forms.TypedChoiceField(coerce=int, **{**common, "required": True})
        return forms.ChoiceField(**{**common, "required": True})
    if isinstance(f, drf.ChoiceField):
        choice = forms.RadioSelect if style.get("radio") else forms.Select
        keys = list(f.choices)
        coerce = int if keys and all(isinstance(k, int) for k in keys) else str
        return forms.TypedChoiceField(choices=list(f.choices.items()), coerce=coerce, widget=choice, **common)
    if isinstance(f, drf.DateTimeField):
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if isinstance(f, drf.DateField):
        return DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if isinstance(f, drf.DecimalField):
        number = forms.NumberInput(attrs={"step": style["step"]}) if style.get("step") else forms.NumberInput
        return forms.DecimalField(
            max_digits=f.max_digits,
            decimal_places=f.decimal_places,
            min_value=f.min_value,
            max_value=f.max_value,
            widget=number,
            **common,
        )
    if isinstance(f, drf.IntegerField):
        if style.get("stars"):
            low, high = f.min_value or 1, f.max_value or 5
            choices = [(n, "★" * n) for n in range(high, low - 1, -1)]
            return forms.TypedChoiceField(choices=choices, coerce=int, **common)
        return forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
    text = forms.Textarea(attrs={"rows": style["rows"]}) if style.get("rows") else forms.TextInput
    return forms.CharField(max_length=getattr(f, "max_length", None), widget=text, **common)


def serializer_form(
    serializer_class: type[drf.Serializer],
    name: str,
    names: Iterable[str] | None = None,
    *,
    base: type[forms.Form] = forms.Form,
) -> type[forms.Form]:
    """A Django form class ``name`` (on ``base``) with the serializer's fields, or those ``names``."""
    fields = serializer_class().fields
    chosen = list(names) if names is not None else list(fields)
    return type(name, (base,), {key: form_field(fields[key]) for key in chosen})


# --------------------------------------------------------------------------- the entries


@dataclass(frozen=True, kw_only=True)
class Action:
    """One action of a workflow; see the module's docstring. Apps subclass it with their fields."""

    key: str
    label: str
    inputs: type[drf.Serializer]
    run: Callable[[Any, Any, dict], Any]  # (actor, target, data) → result
    verb: Callable[..., Any] | None = None  # the service verb ``run`` calls
    description: str = ""  # the API operation's description
    style: str = "btn-primary"
    page_fields: Sequence[str] | None = None  # the page's form fields, where not all the input's
    form: type[forms.Form] = field(init=False, repr=False, compare=False)

    # The page form's base class (an app's widget classes, say).
    form_base: ClassVar[type[forms.Form]] = forms.Form

    def __post_init__(self) -> None:
        name = f"{self.key.title().replace('_', '')}Form"
        object.__setattr__(self, "form", serializer_form(self.inputs, name, self.page_fields, base=self.form_base))

    @property
    def url_path(self) -> str:
        return self.key.replace("_", "-")

    @property
    def has_fields(self) -> bool:
        return bool(self.form.base_fields)

    @property
    def multipart(self) -> bool:
        return any(isinstance(f, forms.FileField) for f in self.form.base_fields.values())


@dataclass(frozen=True, kw_only=True)
class UserAction(Action):
    """An entry whose rule reads the user and the target, and whose message the result and input."""

    allowed: Callable[[Any, Any], bool]  # (user, target) → may the user take it now
    done: Callable[[Any, dict], str]  # (result, or the target where the app says so; data) → the page's message


A = TypeVar("A", bound=Action)
U = TypeVar("U", bound=UserAction)


def table(*entries: A) -> dict[str, A]:
    """A table: its entries by key, in the order given (the page's order of the buttons)."""
    return {entry.key: entry for entry in entries}


def available(actions: dict[str, U], user, target) -> list[U]:
    """The entries of ``actions`` ``user`` may take on ``target`` now, in the table's order."""
    return [entry for entry in actions.values() if entry.allowed(user, target)]
