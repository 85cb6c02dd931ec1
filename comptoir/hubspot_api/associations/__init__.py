"""The association endpoints (reference §2.7-§2.8): v4 records and batches (v4.py), labels
(labels.py), the legacy v3 batches (v3.py) and limits (limits.py); what they share is in
common.py."""

from comptoir.hubspot_api.associations import labels, limits, v3, v4

# Mounted at "" in this order, the order their routes have always been matched in: the
# limits' "definitions/configurations/…" routes come after the label routes (they never match
# those, whose third segment is the literal "labels" or "batch"), and the high-usage report's
# "usage/high-usage-report/{user_id}" comes after "{from}/{to}/labels".
ROUTERS = (v4.router, labels.router, v3.router, limits.router)
