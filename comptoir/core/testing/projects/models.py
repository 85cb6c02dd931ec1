from django.db import models

from comptoir.core.records.models import CrmRecord


class Project(CrmRecord):
    object_type_name = "projects"

    project_name = models.TextField(null=True, blank=True)

    def __str__(self) -> str:
        return self.project_name or f"Project {self.pk}"
