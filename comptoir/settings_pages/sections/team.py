"""Routes of Settings > Users & teams: users, teams and roles tabs."""

from django.urls import path

from comptoir.settings_pages import team as views

urlpatterns = [
    path("", views.users, name="team"),
    path("invite/", views.invite, name="team_invite"),
    path("users/<id:pk>/", views.edit_user, name="team_user"),
    path("users/<id:pk>/resend/", views.resend, name="team_resend"),
    path("users/<id:pk>/two-factor/reset/", views.reset_two_factor, name="team_two_factor_reset"),
    path("users/<id:pk>/deactivate/", views.deactivate, name="team_deactivate"),
    path("users/<id:pk>/reactivate/", views.reactivate, name="team_reactivate"),
    path("teams/", views.teams, name="team_teams"),
    path("teams/new/", views.edit_team, name="team_team_new"),
    path("teams/<id:pk>/", views.edit_team, name="team_team"),
    path("teams/<id:pk>/delete/", views.delete_team, name="team_team_delete"),
    path("roles/", views.roles, name="team_roles"),
    path("roles/new/", views.edit_role, name="team_role_new"),
    path("roles/<id:pk>/", views.edit_role, name="team_role"),
    path("roles/<id:pk>/delete/", views.delete_role, name="team_role_delete"),
]
