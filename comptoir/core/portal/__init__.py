# HubSpot's portalId (hub id) of this installation: one self-hosted portal. HubSpot's
# PublicAuditInfo, legacy shapes and webhook events carry it.
PORTAL_ID = 1
