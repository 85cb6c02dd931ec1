"""The project type (tests only): a custom object type declared in one module."""

from django.utils.translation import gettext_lazy as _

from comptoir.core.objects.registry import Imports, ObjectType, Pages
from comptoir.core.properties import defaults as d


def object_types() -> tuple[ObjectType, ...]:
    return (
        ObjectType(
            name="projects",
            singular="project",
            type_id="2-9000001",
            model_label="projects.Project",
            label="Projects",
            label_fr="Projets",
            singular_label="Project",
            singular_label_fr="Projet",
            group_name="projectinformation",
            created_property="hs_createdate",
            modified_property="hs_lastmodifieddate",
            default_properties=("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
            searchable_properties=("project_name", "project_code"),
            display_properties=("project_name",),
            required_all=("project_name",),
            properties=(
                d.text("project_name", "Project name", "Nom du projet", column="project_name"),
                d.text("project_code", "Project code", "Code du projet", unique=True),
                d.number("budget", "Budget", "Budget", show_currency_symbol=True),
                d.date("due_date", "Due date", "Échéance"),
                d.owner("Project owner", "Propriétaire du projet"),
                d.datetime(
                    "hs_createdate",
                    "Create date",
                    "Date de création",
                    column="created_at",
                    read_only=True,
                ),
                d.datetime(
                    "hs_lastmodifieddate",
                    "Last modified date",
                    "Date de dernière modification",
                    column="updated_at",
                    read_only=True,
                ),
                d.record_id(),
            ),
            property_groups=(("projectinformation", "Project information", "Projet"),),
            icon="board",
            crm=True,
            scope="crm.objects.custom",
            permission_label=_("Projects"),
            mergeable=True,
            search_detail="project_code",
            summary_fields=("pk", "project_name"),
            assignable=True,
            pages=Pages(
                name_property="project_name",
                list_columns=("project_code", "budget", "due_date", "hubspot_owner_id"),
                default_sort="-hs_createdate",
                about=("project_code", "budget", "due_date", "hubspot_owner_id", "hs_createdate"),
                create_fields=("project_name", "project_code", "budget", "hubspot_owner_id"),
                cards=(),
                card_fields=("project_name", "project_code"),
                header_name=("project_name",),
                nav_label=_("Projects"),
                phrases={
                    "create": _("Create project"),
                    "created": _("Project “%(name)s” created."),
                },
            ),
            imports=Imports(
                label=_("Projects"),
                file_label=_("Projects file"),
                natural_key="project_code",
                file_order=3,
                synonyms={"project_name": ["projet", "project"]},
            ),
        ),
    )
