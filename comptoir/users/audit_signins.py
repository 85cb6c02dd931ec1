"""Sign-ins, failed sign-ins and sign-outs in the audit log (Django's auth signals)."""

from comptoir.core.audit import log as audit
from comptoir.users.throttle import client_address


def signed_in(sender, request, user, **kwargs):
    audit.record(audit.AuditAction.SIGN_IN, user.email, user=user, ip=_ip(request))


def sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit.record(audit.AuditAction.SIGN_IN_FAILED, typed, ip=_ip(request))


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.AuditAction.SIGN_OUT, user.email, user=user, ip=_ip(request))


def _ip(request) -> str:
    return client_address(request) if request is not None else ""
