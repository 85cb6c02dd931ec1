"""Routes of Settings > Users & teams: users, teams and roles tabs."""

from django.urls import path

from comptoir.settings_pages import team as views

urlpatterns = [
    path("", views.users, name="team"),
    path("invite/", views.invite, name="team_invite"),
    path("users/<int:pk>/", views.edit_user, name="team_user"),
    path("users/<int:pk>/resend/", views.resend, name="team_resend"),
    path("users/<int:pk>/deactivate/", views.deactivate, name="team_deactivate"),
    path("users/<int:pk>/reactivate/", views.reactivate, name="team_reactivate"),
    path("teams/", views.teams, name="team_teams"),
    path("teams/new/", views.edit_team, name="team_team_new"),
    path("teams/<int:pk>/", views.edit_team, name="team_team"),
    path("teams/<int:pk>/delete/", views.delete_team, name="team_team_delete"),
    path("roles/", views.roles, name="team_roles"),
    path("roles/new/", views.edit_role, name="team_role_new"),
    path("roles/<int:pk>/", views.edit_role, name="team_role"),
    path("roles/<int:pk>/delete/", views.delete_role, name="team_role_delete"),
]
