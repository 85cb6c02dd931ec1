"""Host names to companies: the registrable domain of a host ("proxy-3.paris.acme.fr" ->
"acme.fr", from the offline public suffix list), and the networks whose reverse DNS names
an access provider or a cloud rather than a company (never a prospect)."""

import tldextract

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Access providers and hosting clouds: their reverse DNS names the provider, not the
# visitor's company. Not exhaustive; the common ones of France and of the large clouds.
PROVIDERS = frozenset(
    {
        "orange.fr",
        "wanadoo.fr",
        "orange.com",
        "sfr.net",
        "sfr.fr",
        "neufbox.fr",
        "free.fr",
        "proxad.net",
        "bbox.fr",
        "bouyguestelecom.fr",
        "numericable.fr",
        "red-by-sfr.fr",
        "skynet.be",
        "proximus.be",
        "telenet.be",
        "swisscom.ch",
        "bluewin.ch",
        "videotron.ca",
        "bell.ca",
        "comcast.net",
        "verizon.net",
        "att.net",
        "spectrum.com",
        "charter.com",
        "cox.net",
        "btcentralplus.com",
        "virginm.net",
        "t-ipconnect.de",
        "vodafone.de",
        "telefonica.de",
        "amazonaws.com",
        "googleusercontent.com",
        "1e100.net",
        "cloudfront.net",
        "azure.com",
        "cloudapp.net",
        "linode.com",
        "digitalocean.com",
        "ovh.net",
        "ovh.com",
        "scaleway.com",
        "hetzner.com",
        "your-server.de",
        "contabo.net",
        "akamaitechnologies.com",
        "fastly.net",
        "cloudflare.com",
    }
)


def registrable(host: str) -> str:
    """ "acme.fr" for "www.acme.fr"; "" when the host has no registrable domain (an IP, a
    bare suffix, a name of no known suffix)."""
    host = (host or "").strip().lower().rstrip(".")
    if not host:
        return ""
    parts = _extract(host)
    if not parts.domain or not parts.suffix:
        return ""
    return f"{parts.domain}.{parts.suffix}"


def company_domain(host: str) -> str:
    """The company a reverse DNS name points at: its registrable domain, "" for providers."""
    domain = registrable(host)
    return "" if domain in PROVIDERS else domain
