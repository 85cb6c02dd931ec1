"""Contact rules: email domain, auto-association with companies, owner sync (SET-3)."""

from comptoir.contacts.freemail import email_domain, is_freemail, registered_domain
from comptoir.core.associations import services as associations
from comptoir.core.history.models import SourceType
from comptoir.core.permissions import edit_q, editable
from comptoir.core.portal.services import automation_enabled
from comptoir.core.records import writes
from comptoir.core.records.behavior import RecordBehavior
from comptoir.core.records.lifecycle import advance_lifecycle
from comptoir.core.records.values import base_queryset


def acting_user(source):
    """The user whose write set off an automation (None: the system). The domain rule links
    records as HubSpot does, whoever they belong to, but an owner is copied only onto a
    record this user may change: a rep cannot take over records through an email domain."""
    if source.actor_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=source.actor_id, is_active=True).first()


def may_change(user, object_type: str, record) -> bool:
    if user is None or edit_q(user, object_type) is None:
        return True
    qs = base_queryset(object_type, user=user).filter(pk=record.pk)
    return editable(qs, user, object_type).exists()


def company_for_email(email: str | None):
    """The company whose domain matches the email's domain, or None (free-mail never match)."""
    host = email_domain(email)
    if not host or is_freemail(host):
        return None
    candidates = {host, registered_domain(host)}
    return base_queryset("companies").filter(domain__in=candidates).order_by("pk").first()


def sync_owner_with_company(contact_id: int, company_id: int, source, actor=False) -> None:
    """Fill whichever of contact and company has no owner from the other, when the user
    acting (`actor`, looked up from `source` unless given) may change that record."""
    if not automation_enabled("sync_owner_contact_company"):
        return
    contact = base_queryset("contacts").filter(pk=contact_id).first()
    company = base_queryset("companies").filter(pk=company_id).first()
    if contact is None or company is None:
        return
    if contact.hubspot_owner_id is None and company.hubspot_owner_id is not None:
        target, object_type, owner = contact, "contacts", company.hubspot_owner_id
    elif company.hubspot_owner_id is None and contact.hubspot_owner_id is not None:
        target, object_type, owner = company, "companies", contact.hubspot_owner_id
    else:
        return
    if may_change(acting_user(source) if actor is False else actor, object_type, target):
        auto = source.derived(SourceType.AUTOMATION, id="sync_owner_contact_company")
        writes.update_record(object_type, target, {"hubspot_owner_id": str(owner)}, source=auto)


class ContactBehavior(RecordBehavior):
    def clean(self, values, record, errors, now=None):
        if "email" in values:
            values["hs_email_domain"] = email_domain(values["email"])

    def after_create(self, record, changes, source):
        if "email" in changes:
            self._associate_by_domain(record, source)

    def after_bulk_create(self, created, source):
        """Domain matching for a whole batch: one query for the companies."""
        if not automation_enabled("auto_associate_companies"):
            return
        hosts = {}
        for pk, values in created:
            host = email_domain(values.get("email"))
            if host and not is_freemail(host):
                hosts[pk] = {host, registered_domain(host)}
        if not hosts:
            return
        wanted = set().union(*hosts.values())
        actor = acting_user(source)
        companies = dict(
            base_queryset("companies")
            .filter(domain__in=wanted)
            .order_by("-pk")
            .values_list("domain", "pk")
        )
        auto = source.derived(SourceType.AUTOMATION, id="auto_associate_companies")
        for pk, values in created:
            found = [companies[d] for d in hosts.get(pk, ()) if d in companies]
            if not found:
                continue
            match = min(found)  # as company_for_email: the oldest company of the domain
            primary = None if values.get("associatedcompanyid") else [1]
            associations.associate(
                "contacts", pk, "companies", match, primary, source=auto, check=False
            )
            if primary:
                sync_owner_with_company(pk, match, source, actor)

    def after_update(self, record, changes, old, source):
        if "email" in changes:
            self._associate_by_domain(record, source)
        if changes.get("hubspot_owner_id"):
            company_id = associations.primary_company_id("contacts", record.pk)
            if company_id:
                sync_owner_with_company(record.pk, company_id, source)

    def after_associate(self, record_id, to_ot, to_id, source):
        if to_ot.name != "companies":
            return
        if associations.primary_company_id("contacts", record_id) == to_id:
            sync_owner_with_company(record_id, to_id, source)
        if automation_enabled("sync_company_lifecycle_to_contacts"):
            stage = (
                base_queryset("companies")
                .filter(pk=to_id)
                .values_list("properties", flat=True)
                .first()
            )
            stage = (stage or {}).get("lifecyclestage")
            if stage:
                advance_lifecycle(
                    "contacts", [record_id], stage, source, "sync_company_lifecycle_to_contacts"
                )

    def _associate_by_domain(self, record, source):
        if not automation_enabled("auto_associate_companies"):
            return
        company = company_for_email(record.email)
        if company is None:
            return
        auto = source.derived(SourceType.AUTOMATION, id="auto_associate_companies")
        has_primary = associations.primary_company_id("contacts", record.pk) is not None
        primary = None if has_primary else [1]
        associations.associate(
            "contacts",
            record.pk,
            "companies",
            company.pk,
            primary,
            source=auto,
            record=record,
            check=False,
        )
        if not has_primary:
            sync_owner_with_company(record.pk, company.pk, source)
