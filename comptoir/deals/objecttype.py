"""The deal type: everything the generic code needs to know about deals."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from comptoir.core.objects.registry import Imports, ObjectType, Pages
from comptoir.core.properties import defaults


def _behavior(ot):
    # Imported when first used: the write path needs the registry filled.
    from comptoir.deals.services import DealBehavior

    return DealBehavior(ot)


def _urls():
    from comptoir.deals.urls import urlpatterns  # imports the views: when used

    return urlpatterns


def object_types() -> tuple[ObjectType, ...]:
    return (
        ObjectType(
            name="deals",
            singular="deal",
            type_id="0-3",
            model_label="deals.Deal",
            label="Deals",
            label_fr="Transactions",
            singular_label="Deal",
            singular_label_fr="Transaction",
            group_name="dealinformation",
            created_property="createdate",
            modified_property="hs_lastmodifieddate",
            default_properties=(
                "amount",
                "closedate",
                "createdate",
                "dealname",
                "dealstage",
                "hs_lastmodifieddate",
                "hs_object_id",
                "pipeline",
            ),
            searchable_properties=("dealname", "pipeline", "dealstage", "description", "dealtype"),
            substring_indexed=("dealname",),
            display_properties=("dealname",),
            required_all=("dealname", "dealstage"),
            has_pipelines=True,
            stage_properties=("pipeline", "dealstage"),
            properties=tuple(defaults.DEALS),
            property_groups=(
                ("dealinformation", "Deal information", "Informations sur la transaction"),
            ),
            icon="deals",
            icon_svg='<path d="M3 12h4l3 8 4-16 3 8h4"/>',
            crm=True,
            scope="crm.objects.deals",
            permission_label=_("Deals"),
            mergeable=True,
            activity_rollups=True,
            association_counts={"num_associated_contacts": "contacts"},
            search_detail="dealstage",
            summary_fields=("pk", "dealname"),
            assignable=True,
            assigned_one=_("%(actor)s assigned you the deal %(record)s"),
            assigned_many=ngettext_lazy(
                "%(actor)s assigned you %(count)d deal",
                "%(actor)s assigned you %(count)d deals",
                "count",
            ),
            behavior=_behavior,
            pages=Pages(
                quick_filters=(
                    "hubspot_owner_id",
                    "createdate",
                    "notes_last_updated",
                    "dealstage",
                    "closedate",
                ),
                name_property="dealname",
                indexed_properties=("dealtype", "hs_priority"),
                # HubSpot's defaults, fitting 1280 px (the pipeline is a column to add).
                list_columns=(
                    "dealstage",
                    "amount",
                    "closedate",
                    "hubspot_owner_id",
                    "createdate",
                ),
                about=(
                    "amount",
                    "dealstage",
                    "pipeline",
                    "closedate",
                    "hubspot_owner_id",
                    "dealtype",
                    "hs_priority",
                    "hs_deal_stage_probability",
                    "createdate",
                ),
                create_fields=(
                    "dealname",
                    "pipeline",
                    "dealstage",
                    "amount",
                    "closedate",
                    "hubspot_owner_id",
                    "dealtype",
                    "hs_priority",
                ),
                cards=("contacts", "companies", "tasks"),
                card_fields=("dealname", "dealstage", "amount", "closedate"),
                card_detail=("amount", "dealstage"),
                header_name=("dealname",),
                nav_label=_("Deals"),
                urls=_urls,
                phrases={
                    "create": _("Create deal"),
                    "none_yet": _("No deals yet"),
                    "add": _("Add deals"),
                    "search_existing": _("Search existing deals"),
                    "create_new": _("Create a new deal"),
                    "none_associated": _("No associated deals."),
                    "created": _("Deal “%(name)s” created."),
                    "view_all": pgettext_lazy("deals view", "All"),
                    "view_mine": pgettext_lazy("deals view", "My records"),
                    "view_unassigned": pgettext_lazy("deals view", "Unassigned"),
                    "view_recent": pgettext_lazy("deals view", "Recently created"),
                },
            ),
            imports=Imports(
                label=_("Deals"),
                file_label=_("Deals file"),
                file_order=0,
                synonyms={
                    "dealname": [
                        "nom",
                        "transaction",
                        "deal",
                        "deal name",
                        "nom de la transaction",
                    ],
                    "amount": ["montant", "amount"],
                    "closedate": ["date de fermeture", "close date", "date de clôture"],
                    "dealstage": [
                        "étape",
                        "phase",
                        "stage",
                        "deal stage",
                        "étape de la transaction",
                    ],
                    "pipeline": ["pipeline"],
                    "hubspot_owner_id": ["propriétaire", "owner", "deal owner"],
                },
            ),
        ),
    )
