"""Open and click tracking of the emails sent from the CRM (TOOL-2, SET-9).

- **Tokens.** A tracking URL carries `<outbound id>.<link index>.<mac>`: the id in base 36,
  the index of the link in the email's stored list of original URLs ("o" for the open
  pixel), and an HMAC of both keyed with SECRET_KEY (salted for this use; the fallback keys
  are accepted while a key is rotated). Without the key no token can be made or changed;
  a token names no address, subject or person.
- **Never an open redirect.** A click URL carries the link's address in its `u` parameter
  (base64url: no address in clear for filters to take for a redirector) and a token whose
  HMAC covers the id, the index and that address: the redirect goes only
  to an http(s) address the portal itself signed when it wrote the email, without reading
  the database (a click during a database outage still reaches the page; a link in a
  recipient's mailbox keeps working after the email is deleted from the CRM, uncounted).
  Links of emails sent before addresses were signed carry no `u`: their token names an
  index, and the redirect goes to the URL stored at that index.
- **Where it goes in.** `rewrite()` puts the pixel and the redirected links into the HTML
  part when the MIME message is made (delivery.build_message); the engagement's body, shown
  on the timelines, stays as written, so the author reading it in Comptoir opens nothing.
- **Automated or a person.** `classify()` tells, from what the request carries, the opens
  and clicks that are nobody's: an excluded network (Settings), the sender themselves
  (their session cookie, or the address they wrote the email from), a security scanner
  (its user agent, its network, or a click within seconds of the sending). They are kept,
  marked `automated` with the reason, and counted nowhere. Image proxies that fetch the
  pixel when a person opens the email (Gmail's GoogleImageProxy, Yahoo's) count as that
  person's open, as HubSpot counts them.
"""

import base64
import datetime as dt
import functools
import hashlib
import html as html_lib
import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "comptoir.mail.tracking"
OPEN = "o"
MAX_LINKS = 200
URL_PARAM = "u"  # a click URL's query parameter: the link's address, signed by the token
MAX_URL = 4096
# A transparent 1x1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# Why an event is automated (EmailEvent.reason).
EXCLUDED_NETWORK = "excluded_network"
SENDER = "sender"
SCANNER = "scanner"
TOO_SOON = "too_soon"
NO_ADDRESS = "no_address"
REASONS = (EXCLUDED_NETWORK, SENDER, SCANNER, TOO_SOON, NO_ADDRESS)

# A click this soon after the server took the email is a link scanner's, not a reader's.
SCANNER_CLICK_DELAY = dt.timedelta(seconds=10)

# Security gateways and link checkers, by user agent (lower case). Browsers and the image
# proxies of webmails are not here: GoogleImageProxy and YahooMailProxy fetch the pixel
# when a person opens the email.
SCANNER_AGENTS = re.compile(
    r"barracuda|proofpoint|mimecast|safelinks|safe ?links|symantec|messagelabs|forcepoint|"
    r"trend ?micro|fortinet|fortimail|sophos|cisco|ironport|zscaler|cloudmark|vade|"
    r"mailscanner|urldefense|bot\b|bot/|crawler|spider|scanner|headlesschrome|phantomjs|"
    r"python-requests|python-urllib|aiohttp|httpx|go-http-client|curl/|wget/|libwww|"
    r"java/|okhttp|apache-httpclient|node-fetch|axios/|postmanruntime|preview"
)
# Networks of mail security services whose scanners open links before the reader does
# (Microsoft Defender / Safe Links and Exchange Online Protection, Proofpoint, Mimecast,
# Barracuda). Not exhaustive: the user agent and the timing catch most of the others.
SCANNER_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "40.92.0.0/15",
        "40.107.0.0/16",
        "52.100.0.0/14",
        "104.47.0.0/17",
        "40.94.0.0/16",
        "148.163.128.0/19",
        "67.231.144.0/20",
        "205.139.110.0/24",
        "207.211.30.0/24",
        "185.58.84.0/22",
        "209.222.80.0/21",
        "64.235.144.0/20",
    )
)


# -- tokens --------------------------------------------------------------------------------------


def _mac(value: str, secret) -> str:
    digest = salted_hmac(SALT, value, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _signed(value: str, url: str | None) -> str:
    """What a token's HMAC covers: the id and index, and the link's address when signed."""
    return value if url is None else f"{value}\n{url}"


def make_token(outbound_id: int, index: int | str, url: str | None = None) -> str:
    value = f"{_b36(outbound_id)}.{index}"
    return f"{value}.{_mac(_signed(value, url), settings.SECRET_KEY)}"


def read_token(token: str, url: str | None = None) -> tuple[int, str] | None:
    """(outbound id, OPEN or the link's index as text) of a token this portal made (for
    `url`, when given: a click token signs its link's address); None for anything else
    (tampered, truncated, garbage, another address)."""
    if not isinstance(token, str) or len(token) > 80:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    pk_text, index, mac = parts
    if not re.fullmatch(r"[0-9a-z]{1,13}", pk_text):
        return None
    if index != OPEN and not re.fullmatch(r"[0-9]{1,3}", index):
        return None
    if url is not None and (index == OPEN or not isinstance(url, str) or len(url) > MAX_URL):
        return None
    value = _signed(f"{pk_text}.{index}", url)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    if not any(constant_time_compare(mac, _mac(value, secret)) for secret in secrets):
        return None
    return int(pk_text, 36), index


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    number = int(number)
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _base() -> str:
    return settings.COMPTOIR_BASE_URL.rstrip("/")


def pixel_url(outbound_id: int) -> str:
    return f"{_base()}/t/o/{make_token(outbound_id, OPEN)}/"


def click_url(outbound_id: int, index: int, url: str) -> str:
    """The redirect to `url`, the email's link at `index`, signed (see the module's doc)."""
    token = make_token(outbound_id, index, url)
    address = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return f"{_base()}/t/c/{token}/?{URL_PARAM}={address}"


def address_of(value) -> str | None:
    """The address a click URL's `u` parameter carries; None when it is not one we wrote."""
    if (
        not isinstance(value, str)
        or len(value) > MAX_URL * 2
        or not re.fullmatch(r"[A-Za-z0-9_-]*", value)
    ):
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None


# -- links ---------------------------------------------------------------------------------------

# The body is cleaned HTML (nh3 through clean_html): attributes are double-quoted.
_LINK = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.I)


def trackable(url: str) -> bool:
    """An http(s) URL with nothing a header could not carry (no space, no control)."""
    return bool(re.fullmatch(r"https?://[^\s/\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*", url or "", re.I))


def links_of(html: str) -> list[str]:
    """The http(s) URLs the email links to, in order, each once (a click token's index)."""
    found = []
    for match in _LINK.finditer(html or ""):
        url = html_lib.unescape(match.group(2)).strip()
        if trackable(url) and url not in found:
            found.append(url)
    return found[:MAX_LINKS]


def rewrite(html: str, outbound_id: int, links: list, *, opens: bool, clicks: bool) -> str:
    """The HTML part to send: its tracked links through the click redirect, and the pixel
    at the end."""
    if clicks and links:
        index = {url: i for i, url in enumerate(links)}

        def redirected(match):
            url = html_lib.unescape(match.group(2)).strip()
            if url not in index:
                return match.group(0)
            target = html_lib.escape(click_url(outbound_id, index[url], url))
            return f"{match.group(1)}{target}{match.group(3)}"

        html = _LINK.sub(redirected, html)
    if opens:
        html += (
            f'<img src="{html_lib.escape(pixel_url(outbound_id))}" width="1" height="1" '
            'alt="" style="display:block;width:1px;height:1px;border:0">'
        )
    return html


# -- who opened ----------------------------------------------------------------------------------


def session_hash(session_key: str) -> str:
    """What is kept of the sender's session cookie (to know their own clicks)."""
    if not session_key:
        return ""
    return hashlib.sha256(f"{SALT}:{session_key}".encode()).hexdigest()


def clean_address(value) -> str | None:
    """An IP address as stored, or None for anything that is not one."""
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return None


def clean_agent(value) -> str:
    """A user agent as stored: printable, at most 512 characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or "")[:512])
    return text.encode("utf-8", "replace").decode("utf-8")[:512].strip()


@functools.lru_cache(maxsize=16)
def networks(text: str) -> tuple:
    """The excluded networks of the settings' text (one CIDR per line); bad lines are
    skipped here (the settings form refuses them)."""
    found = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            found.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            continue
    return tuple(found)


def _in(address, nets) -> bool:
    return any(address.version == net.version and address in net for net in nets)


def classify(
    kind: str,
    *,
    ip: str | None,
    user_agent: str,
    at: dt.datetime,
    sent_at: dt.datetime | None,
    excluded: str = "",
    sender_ip: str | None = None,
    sender_session: str = "",
    session_key: str = "",
) -> str:
    """Why this open or click is not a person's ("" when it is one): one of REASONS."""
    if ip is None:
        return NO_ADDRESS
    address = ipaddress.ip_address(ip)
    if _in(address, networks(excluded)):
        return EXCLUDED_NETWORK
    if (sender_session and session_key and session_hash(session_key) == sender_session) or (
        sender_ip and ip == sender_ip
    ):
        return SENDER
    if SCANNER_AGENTS.search(user_agent.lower()) or _in(address, SCANNER_NETWORKS):
        return SCANNER
    if not user_agent.strip() and kind == "click":
        return SCANNER
    if kind == "click" and sent_at is not None and at - sent_at < SCANNER_CLICK_DELAY:
        return TOO_SOON
    return ""


def validate_networks(text: str) -> list[str]:
    """The lines of a CIDR list that are not networks (for the settings form)."""
    bad = []
    for line in (text or "").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            bad.append(line.strip()[:60])
    return bad


# -- the visitor hint (TOOL-6) ---------------------------------------------------------------
# A click on a tracked link to the company's own website lands with `?_cmp=<hint>`, which the
# website snippet sends back with its page views, so that the visitor is known:
# - a tracked email's hint, `<email id>.<mac>`: the visitor is the email's recipient;
# - a shared document's hint (TOOL-4: the links of the PDF drawn in the viewer of a link made
#   for a contact), `c.<contact id>.<mac>`: the visitor is that contact.
# Ids in base 36, the mac an HMAC of the id and the kind ("v", "c": a hint of one kind is
# never read as the other, nor as a click token). Without the key none can be made or
# changed. Which hosts are the company's website is the prospects app's to say: it adds a
# callable returning them here in its ready() (mail is below prospects).
HINT_PARAM = "_cmp"
HINT_HOSTS: list = []
HINT_MAX = 40
EMAIL_HINT = "email"
CONTACT_HINT = "contact"
_CONTACT_PREFIX = "c"


def _secrets() -> list:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]


def visitor_hint(outbound_id: int) -> str:
    value = _b36(outbound_id)
    return f"{value}.{_mac(value + '.v', settings.SECRET_KEY)}"


def contact_hint(contact_id: int) -> str:
    """The hint of a document link's recipient contact (at most 38 characters)."""
    value = _b36(contact_id)
    return f"{_CONTACT_PREFIX}.{value}.{_mac(value + '.c', settings.SECRET_KEY)}"


def read_hint(hint) -> tuple[str, int] | None:
    """(EMAIL_HINT, email id) or (CONTACT_HINT, contact id) of a hint this portal made; None
    for anything else (forged, truncated, another portal's, garbage)."""
    if not isinstance(hint, str) or len(hint) > HINT_MAX:
        return None
    parts = hint.split(".")
    if len(parts) == 2:
        kind, suffix, (pk_text, mac) = EMAIL_HINT, ".v", parts
    elif len(parts) == 3 and parts[0] == _CONTACT_PREFIX:
        kind, suffix, (pk_text, mac) = CONTACT_HINT, ".c", parts[1:]
    else:
        return None
    if not re.fullmatch(r"[0-9a-z]{1,13}", pk_text) or not mac:
        return None
    if not any(constant_time_compare(mac, _mac(pk_text + suffix, s)) for s in _secrets()):
        return None
    return kind, int(pk_text, 36)


def read_visitor_hint(hint) -> int | None:
    """The email id of an email's hint this portal made; None for anything else."""
    found = read_hint(hint)
    return found[1] if found and found[0] == EMAIL_HINT else None


def hint_domains() -> tuple[str, ...]:
    """The company's website domains (those links to them, and to their subdomains, carry
    the hint); none when the prospects app has none set."""
    found = []
    for hosts in HINT_HOSTS:
        for domain in hosts():
            if domain not in found:
                found.append(domain)
    return tuple(found)


def _hint_host(host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in hint_domains())


def with_visitor_hint(url: str, outbound_id: int) -> str:
    """`url` with the visitor hint added when it leads to the company's website."""
    if not HINT_HOSTS:
        return url
    parts = urlsplit(url)
    if not _hint_host(parts.hostname or ""):
        return url
    query = parts.query + ("&" if parts.query else "") + f"{HINT_PARAM}={visitor_hint(outbound_id)}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
