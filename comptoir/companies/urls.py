from comptoir.core.ui.urls import object_urls

app_name = "companies"
urlpatterns = object_urls("companies")
