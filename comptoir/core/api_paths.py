"""Which paths belong to the HubSpot-compatible API: they answer HubSpot's JSON, never a
page, even when nothing is served there (a 404, a refused NUL character).

HubSpot's API families (a client pointed at Comptoir may try any of them), and any
`/<family>/v<n>/` path (`/contacts/v1/...`, `/settings/v3/...`): none is a page here."""

import re

API_PATH = re.compile(
    r"^/(?:crm|api|crm-[a-z-]+|properties|engagements|owners|oauth|email|marketing"
    r"|marketing-emails|form-integrations|automation|files|cms|events|conversations"
    r"|webhooks|communication-preferences|analytics|extensions|integrations|account-info"
    r"|business-units|media-bridge)(?:/|$)"
    r"|^/[a-z][a-z0-9-]*/v\d+(?:/|$)"
)


def is_api_path(path: str) -> bool:
    return API_PATH.match(path) is not None
