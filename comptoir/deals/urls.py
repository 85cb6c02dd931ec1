from django.urls import path

from comptoir.core.ui.urls import object_urls
from comptoir.deals import views

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/move/", views.board_move, name="board_move"),
    path("board/cards/", views.board_cards, name="board_cards"),
    *object_urls("deals"),
]
