"""Unique, plausible email addresses and company domains without keeping every one in memory."""

import zlib

from comptoir.demo import texts
from comptoir.demo.pools import slug


class SeenBits:
    """A bitmap of hashed strings: `maybe_seen` is never wrong about a string never added.

    A false "maybe" only makes us pick another address, so uniqueness holds with ~2 bits
    a hundred addresses, a few MB for millions, and the result stays deterministic
    (crc32, unlike `hash`, does not change between processes).
    """

    def __init__(self, expected: int):
        bits = 1 << 16
        while bits < expected * 64:
            bits <<= 1
        self.mask = bits - 1
        self.bits = bytearray(bits // 8)

    def _slot(self, text: str) -> tuple[int, int]:
        h = zlib.crc32(text.encode()) & self.mask
        return h >> 3, 1 << (h & 7)

    def maybe_seen(self, text: str) -> bool:
        byte, bit = self._slot(text)
        return bool(self.bits[byte] & bit)

    def add(self, text: str) -> None:
        byte, bit = self._slot(text)
        self.bits[byte] |= bit


class EmailMaker:
    def __init__(self, expected: int):
        self.seen = SeenBits(expected)

    def claim(self, local: str, domain: str) -> str:
        """`local@domain`, or `local2@domain`, `local3@domain`... whichever is free first."""
        email = f"{local}@{domain}"
        n = 1
        while self.seen.maybe_seen(email):
            n += 1
            email = f"{local}{n}@{domain}"
        self.seen.add(email)
        return email

    @staticmethod
    def work_local(rng, first: str, last: str) -> str:
        f, la = slug(first), slug(last)
        roll = rng.random()
        if roll < 0.62:
            return f"{f}.{la}"
        if roll < 0.8:
            return f"{f[:1]}{la}"
        if roll < 0.9:
            return f"{f[:1]}.{la}"
        if roll < 0.96:
            return f"{f}{la}"
        return f

    @staticmethod
    def personal_local(rng, first: str, last: str) -> str:
        f, la = slug(first), slug(last)
        roll = rng.random()
        if roll < 0.35:
            return f"{f}.{la}"
        if roll < 0.6:
            return f"{f}.{la}{int(rng.random() * 99) + 1}"
        if roll < 0.8:
            return f"{f}{la}{1955 + int(rng.random() * 50)}"
        return f"{f[:1]}{la}{int(rng.random() * 999) + 1}"


class DomainMaker:
    """Company domains from company names, unique within the run."""

    def __init__(self):
        self.taken: set[str] = set()

    def claim(self, name: str, lang: int, rng) -> str:
        words = [w for w in slug(name, "-").split("-") if w and w not in _LEGAL_WORDS]
        base = "-".join(words)[:40].strip("-") or "entreprise"
        tlds = texts.TLDS[lang]
        tld = tlds[int(rng.random() * len(tlds))]
        candidates = [f"{base}.{tld}", f"{base.replace('-', '')}.{tld}"]
        candidates += [f"{base}.{other}" for other in dict.fromkeys(tlds) if other != tld]
        for domain in candidates:
            if domain not in self.taken:
                break
        else:
            n = 2
            while f"{base}{n}.{tld}" in self.taken:
                n += 1
            domain = f"{base}{n}.{tld}"
        self.taken.add(domain)
        return domain


_LEGAL_WORDS = frozenset(
    {"sa", "sas", "sarl", "sasu", "eurl", "inc", "llc", "ltd", "plc", "and", "et", "co", "group"}
)
