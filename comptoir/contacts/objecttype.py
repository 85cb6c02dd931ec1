"""The contact type: everything the generic code needs to know about contacts."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from comptoir.core.objects.registry import Imports, ObjectType, Pages
from comptoir.core.properties import defaults


def _behavior(ot):
    # Imported when first used: the write path needs the registry filled.
    from comptoir.contacts.services import ContactBehavior

    return ContactBehavior(ot)


def object_types() -> tuple[ObjectType, ...]:
    return (
        ObjectType(
            name="contacts",
            singular="contact",
            type_id="0-1",
            model_label="contacts.Contact",
            label="Contacts",
            label_fr="Contacts",
            singular_label="Contact",
            singular_label_fr="Contact",
            group_name="contactinformation",
            created_property="createdate",
            modified_property="lastmodifieddate",
            default_properties=(
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ),
            searchable_properties=(
                "firstname",
                "lastname",
                "email",
                "phone",
                "hs_additional_emails",
                "fax",
                "mobilephone",
                "company",
            ),
            substring_indexed=(
                "firstname",
                "lastname",
                "email",
                "hs_email_domain",
                "company",
                "jobtitle",
                "phone",
                "mobilephone",
                "address",
                "city",
                "state",
                "zip",
                "country",
                "website",
            ),
            display_properties=("firstname", "lastname", "email"),
            properties=tuple(defaults.CONTACTS),
            property_groups=(
                ("contactinformation", "Contact information", "Informations sur le contact"),
                ("sales_properties", "Sales properties", "Propriétés de vente"),
            ),
            icon="contacts",
            icon_svg='<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>',
            crm=True,
            scope="crm.objects.contacts",
            permission_label=_("Contacts"),
            scope_label=_("Contacts and activities"),
            mergeable=True,
            personal_data=True,
            activity_rollups=True,
            association_counts={"num_associated_deals": "deals"},
            search_detail="email",
            summary_fields=("pk", "firstname", "lastname", "email"),
            assignable=True,
            assigned_one=_("%(actor)s assigned you the contact %(record)s"),
            assigned_many=ngettext_lazy(
                "%(actor)s assigned you %(count)d contact",
                "%(actor)s assigned you %(count)d contacts",
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
                name_property="lastname",
                indexed_properties=(
                    "city",
                    "jobtitle",
                    "company",
                    "hs_lead_status",
                    "phone",
                    "country",
                    "num_notes",
                ),
                # Fits a laptop's frame at 1280 px with a real team's values (issue 14):
                # the create date is a quick filter, the default sort and the "Recently
                # created" view; a column to add through "Edit columns".
                list_columns=(
                    "email",
                    "hubspot_owner_id",
                    "associatedcompanyid",
                    "lifecyclestage",
                    "notes_last_updated",
                ),
                about=(
                    "email",
                    "phone",
                    "mobilephone",
                    "jobtitle",
                    "hubspot_owner_id",
                    "lifecyclestage",
                    "hs_lead_status",
                    "city",
                    "country",
                    "createdate",
                    "notes_last_updated",
                ),
                create_fields=(
                    "email",
                    "firstname",
                    "lastname",
                    "jobtitle",
                    "phone",
                    "hubspot_owner_id",
                    "lifecyclestage",
                    "hs_lead_status",
                ),
                cards=("companies", "deals", "tasks"),
                card_fields=("email", "firstname", "lastname", "jobtitle"),
                card_detail=("email", "jobtitle"),
                header_name=("firstname", "lastname"),
                nav_label=_("Contacts"),
                phrases={
                    "create": _("Create contact"),
                    "none_yet": _("No contacts yet"),
                    "add": _("Add contacts"),
                    "search_existing": _("Search existing contacts"),
                    "create_new": _("Create a new contact"),
                    "none_associated": _("No associated contacts."),
                    "created": _("Contact “%(name)s” created."),
                    "view_all": pgettext_lazy("contacts view", "All"),
                    "view_mine": pgettext_lazy("contacts view", "My records"),
                    "view_unassigned": pgettext_lazy("contacts view", "Unassigned"),
                    "view_recent": pgettext_lazy("contacts view", "Recently created"),
                },
            ),
            imports=Imports(
                label=_("Contacts"),
                file_label=_("Contacts file"),
                natural_key="email",
                file_order=1,
                synonyms={
                    "email": [
                        "e-mail",
                        "mail",
                        "courriel",
                        "adresse mail",
                        "adresse email",
                        "email address",
                    ],
                    "firstname": ["prénom", "first name", "given name"],
                    "lastname": ["nom", "nom de famille", "last name", "surname", "family name"],
                    "company": ["entreprise", "société", "societe", "company", "organisation"],
                    "phone": ["téléphone", "tel", "tél", "phone", "telephone", "phone number"],
                    "mobilephone": ["portable", "mobile", "téléphone portable", "cell phone"],
                    "jobtitle": ["poste", "fonction", "intitulé du poste", "title", "job title"],
                    "city": ["ville"],
                    "zip": ["code postal", "cp", "postal code", "postcode"],
                    "country": ["pays"],
                    "address": ["adresse", "street address"],
                    "website": ["site web", "site internet", "website url"],
                    "hubspot_owner_id": ["propriétaire", "owner", "contact owner"],
                },
            ),
        ),
    )
