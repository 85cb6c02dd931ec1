"""Free-mail domains: a contact's address there says nothing about their company."""

import tldextract

FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "yahoo.co.uk",
        "ymail.com",
        "hotmail.com",
        "hotmail.fr",
        "hotmail.co.uk",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "msn.com",
        "aol.com",
        "aol.fr",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.com",
        "gmx.fr",
        "gmx.de",
        "gmx.net",
        "web.de",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "mail.com",
        "zoho.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "bbox.fr",
        "numericable.fr",
        "club-internet.fr",
        "aliceadsl.fr",
        "noos.fr",
        "tutanota.com",
        "fastmail.com",
        "hey.com",
        "qq.com",
        "163.com",
        "126.com",
        "skynet.be",
        "telenet.be",
        "bluewin.ch",
        "libero.it",
        "virgilio.it",
        "t-online.de",
    }
)

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(host: str) -> str:
    """`paris.acme.co.uk` → `acme.co.uk` (offline public-suffix list, never fetched)."""
    parts = _extract(host)
    return parts.top_domain_under_public_suffix or host


def is_freemail(domain: str) -> bool:
    return domain in FREEMAIL_DOMAINS or registered_domain(domain) in FREEMAIL_DOMAINS


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower()
