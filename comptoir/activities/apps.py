from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "comptoir.activities"
    label = "activities"

    def ready(self):
        # /tasks/ is the generic index with due-date tabs: the generic views (saved views,
        # columns, filters, bulk actions) read and keep the tab through this state.
        from comptoir.activities.tasks_page import TaskListState
        from comptoir.core.savedviews.listing import STATE_CLASSES

        STATE_CLASSES["tasks"] = TaskListState
