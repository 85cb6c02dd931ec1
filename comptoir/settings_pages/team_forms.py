"""Forms of Settings > Users & teams: they only shape the input; comptoir.users (invitations,
deactivation, teams_and_roles) decides and refuses (a UserError lands on the field it names,
see `apply_error`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import RIGHTS, scoped_objects
from comptoir.users.models import Role, Team, User
from comptoir.users.roles import BUILTIN_ROLES, SALES_REP

SCOPE_CHOICES = [
    ("all", _lazy("Everything")),
    ("team", _lazy("Team only")),
    ("owned", _lazy("Owned only")),
]


def _object_label(name: str):
    if name == "activities":
        return _lazy("Activities")
    return get_object_type(name).permission_label


RIGHT_LABELS = {
    "can_import": _lazy("Import"),
    "can_export": _lazy("Export"),
    "can_bulk_delete": _lazy("Bulk delete"),
    "can_manage_settings": _lazy("Settings"),
    "can_use_api": _lazy("API tokens"),
}


def apply_error(form, exc) -> None:
    """A UserError on the form field it names (or the form itself)."""
    field = {name: f"{name}_edit" for name in scoped_objects()}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def role_order(role) -> tuple:
    """Built-in roles first, widest first (as listed in comptoir.users.roles), then by name."""
    builtin = list(BUILTIN_ROLES)
    if role.builtin and role.name in builtin:
        return (0, builtin.index(role.name), "")
    return (1, 0, role.name.lower())


def _roles():
    return Role.objects.order_by("-builtin", "name")


def _active_users():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


class RoleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class IdsChoice(forms.ModelMultipleChoiceField):
    """Several rows by id; an "id" past any id is refused as invalid before the database
    sees it (Django checks each value alone, then asks for all with one `IN`, which the
    database fails on)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class UsersChoice(IdsChoice):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class InviteForm(forms.Form):
    email = forms.CharField(label=_lazy("Email"), max_length=254)
    first_name = forms.CharField(label=_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_lazy("Last name"), max_length=150, required=False)
    role = RoleChoice(
        label=_lazy("Role"),
        queryset=Role.objects.none(),
        to_field_name="name",
        empty_label=None,
        initial=SALES_REP,
    )
    team = forms.ModelChoiceField(
        label=_lazy("Team"), queryset=Team.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = _roles()
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["email"].widget.attrs.update(type="email", autocomplete="off")


class UserForm(forms.Form):
    role = RoleChoice(label=_lazy("Role"), queryset=Role.objects.none(), empty_label=None)
    teams = IdsChoice(
        label=_lazy("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = _roles()
        self.fields["teams"].queryset = Team.objects.order_by("name")


class DeactivateForm(forms.Form):
    transfer_to = UserChoice(
        label=_lazy("Who takes over their records and open tasks"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_lazy("No one (records keep their owner)"),
    )

    def __init__(self, *args, leaving=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = _active_users().exclude(pk=leaving.pk)


class TeamForm(forms.Form):
    name = forms.CharField(label=_lazy("Team name"), max_length=200, required=False)
    members = UsersChoice(
        label=_lazy("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _active_users()


class RoleForm(forms.Form):
    """A role: a name, per object a view and an edit scope, and the rights."""

    name = forms.CharField(label=_lazy("Role name"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in scoped_objects():
            for kind, label in (("view", _lazy("View")), ("edit", _lazy("Edit"))):
                self.fields[f"{name}_{kind}"] = forms.ChoiceField(
                    label=label, choices=SCOPE_CHOICES, initial="all" if kind == "view" else "owned"
                )
        for right in RIGHTS:
            self.fields[right] = forms.BooleanField(label=RIGHT_LABELS[right], required=False)

    @classmethod
    def for_role(cls, role):
        initial = {"name": role.name}
        for name in scoped_objects():
            scope = role.scopes.get(name) or {}
            initial[f"{name}_view"] = scope.get("view", "owned")
            initial[f"{name}_edit"] = scope.get("edit", "owned")
        initial.update({right: getattr(role, right) for right in RIGHTS})
        return cls(initial=initial)

    def scope_rows(self):
        return [
            {
                "label": _object_label(name),
                "view": self[f"{name}_view"],
                "edit": self[f"{name}_edit"],
            }
            for name in scoped_objects()
        ]

    def right_fields(self):
        return [self[right] for right in RIGHTS]

    def scopes(self) -> dict:
        data = self.cleaned_data
        return {
            name: {"view": data.get(f"{name}_view"), "edit": data.get(f"{name}_edit")}
            for name in scoped_objects()
        }

    def rights(self) -> dict:
        return {right: self.cleaned_data.get(right, False) for right in RIGHTS}


def scope_summary(role) -> list[dict]:
    """Per object, the role's scopes in words (the roles list)."""
    words = dict(SCOPE_CHOICES)
    return [
        {
            "label": _object_label(name),
            "view": words.get((role.scopes.get(name) or {}).get("view", "owned")),
            "edit": words.get((role.scopes.get(name) or {}).get("edit", "owned")),
        }
        for name in scoped_objects()
    ]


def right_summary(role) -> list:
    return [RIGHT_LABELS[right] for right in RIGHTS if getattr(role, right)]
