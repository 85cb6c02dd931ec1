"""The company type: everything the generic code needs to know about companies."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from comptoir.core.objects.registry import Imports, ObjectType, Pages
from comptoir.core.properties import defaults


def _behavior(ot):
    # Imported when first used: the write path needs the registry filled.
    from comptoir.companies.services import CompanyBehavior

    return CompanyBehavior(ot)


def object_types() -> tuple[ObjectType, ...]:
    return (
        ObjectType(
            name="companies",
            singular="company",
            type_id="0-2",
            model_label="companies.Company",
            label="Companies",
            label_fr="Entreprises",
            singular_label="Company",
            singular_label_fr="Entreprise",
            group_name="companyinformation",
            created_property="createdate",
            modified_property="hs_lastmodifieddate",
            default_properties=(
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ),
            searchable_properties=("website", "phone", "name", "domain"),
            substring_indexed=(
                "name",
                "domain",
                "phone",
                "address",
                "city",
                "state",
                "zip",
                "country",
                "website",
            ),
            display_properties=("name", "domain"),
            required_any=("name", "domain"),
            properties=tuple(defaults.COMPANIES),
            property_groups=(
                ("companyinformation", "Company information", "Informations sur l'entreprise"),
            ),
            icon="companies",
            icon_svg=(
                '<path d="M3 21V5l8-3v19M11 21h10V9l-10-3M7 9h.01M7 13h.01M7 17h.01M15'
                ' 13h2M15 17h2"/>'
            ),
            crm=True,
            scope="crm.objects.companies",
            permission_label=_("Companies"),
            mergeable=True,
            activity_rollups=True,
            association_counts={
                "num_associated_contacts": "contacts",
                "num_associated_deals": "deals",
            },
            search_detail="domain",
            summary_fields=("pk", "name", "domain"),
            assignable=True,
            assigned_one=_("%(actor)s assigned you the company %(record)s"),
            assigned_many=ngettext_lazy(
                "%(actor)s assigned you %(count)d company",
                "%(actor)s assigned you %(count)d companies",
                "count",
            ),
            behavior=_behavior,
            pages=Pages(
                quick_filters=(
                    "hubspot_owner_id",
                    "createdate",
                    "notes_last_updated",
                    "lifecyclestage",
                ),
                name_property="name",
                indexed_properties=("industry", "phone", "country", "type"),
                # Four columns fit 1280 px; industry, create date, phone and country are
                # columns to add (Modifier les colonnes).
                list_columns=(
                    "domain",
                    "hubspot_owner_id",
                    "city",
                    "notes_last_updated",
                ),
                about=(
                    "domain",
                    "name",
                    "industry",
                    "type",
                    "hubspot_owner_id",
                    "phone",
                    "city",
                    "country",
                    "numberofemployees",
                    "annualrevenue",
                    "lifecyclestage",
                    "createdate",
                ),
                create_fields=(
                    "domain",
                    "name",
                    "hubspot_owner_id",
                    "industry",
                    "type",
                    "city",
                    "country",
                    "phone",
                ),
                cards=("contacts", "deals", "tasks"),
                card_fields=("name", "domain"),
                card_detail=("domain",),
                nav_label=_("Companies"),
                phrases={
                    "create": _("Create company"),
                    "none_yet": _("No companies yet"),
                    "add": _("Add companies"),
                    "search_existing": _("Search existing companies"),
                    "create_new": _("Create a new company"),
                    "none_associated": _("No associated companies."),
                    "created": _("Company “%(name)s” created."),
                    "view_all": pgettext_lazy("companies view", "All"),
                    "view_mine": pgettext_lazy("companies view", "My records"),
                    "view_unassigned": pgettext_lazy("companies view", "Unassigned"),
                    "view_recent": pgettext_lazy("companies view", "Recently created"),
                },
            ),
            imports=Imports(
                label=_("Companies"),
                file_label=_("Companies file"),
                natural_key="domain",
                file_order=2,
                synonyms={
                    "name": [
                        "entreprise",
                        "société",
                        "societe",
                        "company",
                        "company name",
                        "nom de l'entreprise",
                        "raison sociale",
                    ],
                    "domain": [
                        "domaine",
                        "nom de domaine",
                        "domaine de l'entreprise",
                        "site web",
                        "website",
                        "company domain",
                        "domain name",
                    ],
                    "phone": ["téléphone", "tel"],
                    "city": ["ville"],
                    "zip": ["code postal"],
                    "country": ["pays"],
                    "industry": ["secteur", "secteur d'activité"],
                    "hubspot_owner_id": ["propriétaire", "owner", "company owner"],
                },
            ),
        ),
    )
