"""The account models core reads (users, owners, roles, team memberships).

They live in the users app, a layer above core, which core does not import: core names them
by label through Django's app registry, as its foreign keys ("users.Owner") and the object
type registry ("contacts.Contact") do.
"""

from django.apps import apps
from django.contrib.auth import get_user_model


def user_model():
    return get_user_model()


def owner_model():
    return apps.get_model("users", "Owner")


def role_model():
    return apps.get_model("users", "Role")


def team_membership_model():
    return apps.get_model("users", "TeamMembership")
