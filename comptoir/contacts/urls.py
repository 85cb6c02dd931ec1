from comptoir.core.ui.urls import object_urls

app_name = "contacts"
urlpatterns = object_urls("contacts")
