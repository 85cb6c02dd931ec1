"""Company rules: find contacts by domain, push owner and lifecycle stage to contacts."""

from comptoir.contacts.freemail import is_freemail
from comptoir.contacts.services import acting_user, sync_owner_with_company
from comptoir.core.associations import services as associations
from comptoir.core.associations.models import Association
from comptoir.core.history.models import SourceType
from comptoir.core.permissions import editable
from comptoir.core.portal.services import automation_enabled
from comptoir.core.records import writes
from comptoir.core.records.behavior import RecordBehavior
from comptoir.core.records.lifecycle import advance_lifecycle
from comptoir.core.records.values import base_queryset


class CompanyBehavior(RecordBehavior):
    def after_create(self, record, changes, source):
        if "domain" in changes:
            self._associate_contacts(record, source)

    def after_update(self, record, changes, old, source):
        if "domain" in changes:
            self._associate_contacts(record, source)
        if "hubspot_owner_id" in changes:
            self._push_owner(record, old.get("hubspot_owner_id"), source)
        stage = changes.get("lifecyclestage")
        if stage and automation_enabled("sync_company_lifecycle_to_contacts"):
            contact_ids = associations.associated_ids("companies", record.pk, "contacts")
            advance_lifecycle(
                "contacts", contact_ids, stage, source, "sync_company_lifecycle_to_contacts"
            )

    def _associate_contacts(self, record, source):
        """A new company domain picks up the contacts of that domain who have no company."""
        if not record.domain or is_freemail(record.domain):
            return
        if not automation_enabled("auto_associate_companies"):
            return
        auto = source.derived(SourceType.AUTOMATION, id="auto_associate_companies")
        with_company = Association.objects.filter(
            from_type="contacts", to_type="companies", type_id=1
        ).values("from_id")
        contacts = (
            base_queryset("contacts")
            .filter(hs_email_domain=record.domain)
            .exclude(pk__in=with_company)
        )
        actor = acting_user(source)  # owners copied only onto contacts they may change
        for contact_id in contacts.values_list("pk", flat=True):
            associations.associate(
                "contacts", contact_id, "companies", record.pk, [1], source=auto, check=False
            )
            sync_owner_with_company(contact_id, record.pk, source, actor)

    def _push_owner(self, record, old_owner, source):
        """Contacts of this company who had no owner, or the company's old owner, follow it."""
        if not automation_enabled("sync_owner_contact_company") or record.hubspot_owner_id is None:
            return
        auto = source.derived(SourceType.AUTOMATION, id="sync_owner_contact_company")
        primary_contacts = Association.objects.filter(
            from_type="companies", from_id=record.pk, to_type="contacts", type_id=2
        ).values("to_id")
        actor = acting_user(source)
        contacts = base_queryset("contacts", user=actor).filter(pk__in=primary_contacts)
        if actor is not None:
            contacts = editable(contacts, actor, "contacts")
        old = int(old_owner) if old_owner else None
        for contact in contacts:
            if contact.hubspot_owner_id in (None, old):
                writes.update_record(
                    "contacts",
                    contact,
                    {"hubspot_owner_id": str(record.hubspot_owner_id)},
                    source=auto,
                )
