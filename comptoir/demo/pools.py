"""Pools of Faker values drawn once per run, and cheap value makers built on `random`.

Faker takes 10-60 µs a value; drawing a few thousand names per locale up front and
picking from them with `random` costs well under a microsecond a row. Draws keep
Faker's own frequencies (common surnames come up more often).
"""

import re
from dataclasses import dataclass

from faker import Faker

from comptoir.core.search.text import fold
from comptoir.demo import texts

LOCALES = ("fr_FR", "en_US")
FREEMAIL = (
    (("gmail.com", 35), ("orange.fr", 15), ("free.fr", 10), ("hotmail.fr", 10), ("yahoo.fr", 8)),
    (("gmail.com", 50), ("yahoo.com", 15), ("outlook.com", 12), ("icloud.com", 8), ("aol.com", 3)),
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str, sep: str = "") -> str:
    """ "Lefèvre & Fils" -> "lefevrefils" (or "lefevre-fils" with sep="-")."""
    return _NOT_ALNUM.sub(sep, fold(text).replace("&", " ")).strip("-")


def weighted(pairs) -> list:
    """[(value, weight)] -> a list where each value appears `weight` times (pick uniformly)."""
    return [value for value, weight in pairs for _ in range(weight)]


@dataclass
class LocalePool:
    first_names: list  # male names first, then female
    n_male: int
    last_names: list
    streets: list
    company_names: list  # Faker's own company names
    cities: list  # weighted list of (city, zip, state, phone prefix)
    freemail: list  # weighted

    def is_female(self, first_index: int) -> bool:
        return first_index >= self.n_male


def _draw(make, count: int) -> list:
    return [make() for _ in range(count)]


def _locale_pool(fake, lang: int, size: int) -> LocalePool:
    males = _draw(fake.first_name_male, size)
    females = _draw(fake.first_name_female, size)
    cities = texts.CITIES_FR if lang == texts.FR else texts.CITIES_EN
    return LocalePool(
        first_names=males + females,
        n_male=len(males),
        last_names=_draw(fake.last_name, size * 2),
        streets=_draw(fake.street_address, size),
        company_names=_draw(fake.company, size // 2),
        cities=weighted(
            ((name, zip_, state, prefix), w) for name, zip_, state, w, prefix in cities
        ),
        freemail=weighted(FREEMAIL[lang]),
    )


def build_pools(seed: int, size: int = 1500) -> tuple[LocalePool, LocalePool]:
    """(French pool, English pool), identical for the same seed and Faker version."""
    pools = []
    for lang, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(f"{seed}-{locale}")
        pools.append(_locale_pool(fake, lang, size))
    return pools[0], pools[1]


def phone(rng, lang: int, prefix: str, mobile: bool) -> str:
    """A French number in one of its usual spellings, or a US 555 number."""
    r = rng.random
    if lang == texts.FR:
        head = ("6" if r() < 0.7 else "7") if mobile else prefix
        d = f"{int(r() * 100_000_000):08d}"
        pairs = f"{d[0:2]} {d[2:4]} {d[4:6]} {d[6:8]}"
        return f"+33 {head} {pairs}" if r() < 0.4 else f"0{head} {pairs}"
    line = f"555-{int(r() * 10_000):04d}"
    return f"+1 {prefix}-{line}" if r() < 0.5 else f"({prefix}) {line}"
