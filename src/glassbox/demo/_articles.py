"""Synthetic wire articles: reproducible under a seed, some carrying personal data.

The topic mix is the input distribution the drift monitor watches; the ``input-drift``
scenario swaps it for a skewed one (an election night floods the wire with longer
political copy). About one article in four quotes a source's e-mail address or phone
number, so the redaction of the JSON logs has something to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["DRIFTED_MIX", "NORMAL_MIX", "TOPICS", "Article", "ArticleSource"]

TOPICS: dict[str, tuple[str, ...]] = {
    "politics": ("parliament", "coalition", "minister", "vote", "reform", "budget"),
    "economy": ("inflation", "rates", "markets", "exports", "jobs", "wages"),
    "climate": ("heatwave", "emissions", "flooding", "drought", "solar", "glacier"),
    "sport": ("final", "transfer", "league", "record", "coach", "derby"),
    "technology": ("chips", "startup", "outage", "privacy", "robotics", "satellite"),
    "health": ("vaccine", "hospital", "trial", "clinic", "nurses", "outbreak"),
    "culture": ("festival", "museum", "premiere", "novel", "gallery", "concert"),
    "science": ("telescope", "genome", "fusion", "fossil", "probe", "quantum"),
}

#: The usual share of each topic on the wire.
NORMAL_MIX: dict[str, float] = {
    "politics": 0.16, "economy": 0.16, "climate": 0.12, "sport": 0.16,
    "technology": 0.14, "health": 0.10, "culture": 0.08, "science": 0.08,
}  # fmt: skip
#: Election night: politics floods in, sport and culture nearly vanish.
DRIFTED_MIX: dict[str, float] = {
    "politics": 0.62, "economy": 0.14, "climate": 0.06, "sport": 0.03,
    "technology": 0.06, "health": 0.04, "culture": 0.01, "science": 0.04,
}  # fmt: skip

_FIRST = ("Jane", "Omar", "Li", "Sofia", "Kwame", "Anna", "Mateo", "Priya", "Lars", "Aiko")
_LAST = ("Doe", "Haddad", "Chen", "Rossi", "Mensah", "Novak", "Garcia", "Patel", "Berg", "Sato")
_PLACES = ("Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Accra", "Leeds", "Perth")
_VERBS = ("rises", "stalls", "surprises", "divides", "returns", "accelerates", "faces", "wins")
_FILLER = (
    "officials said on", "according to figures released in", "sources close to the",
    "analysts expect further", "residents reported", "the announcement follows weeks of",
    "critics warned that", "the latest data show",
)  # fmt: skip


@dataclass(frozen=True)
class Article:
    """One wire article.

    Attributes:
        id: ``a-000123``.
        topic: One of :data:`TOPICS`.
        title: The headline.
        body: A few sentences.
        contact: The quoted source's e-mail address or phone number, if any (personal data).
    """

    id: str
    topic: str
    title: str
    body: str
    contact: str | None

    @property
    def words(self) -> int:
        """Length of the body in words (a drift feature)."""
        return len(self.body.split())


class ArticleSource:
    """Generates articles from a topic mix, reproducibly.

    Args:
        seed: Seed of every choice.
        pii_rate: Share of articles quoting a source's contact details.
    """

    def __init__(self, seed: int = 0, pii_rate: float = 0.25) -> None:
        self._rng = random.Random(f"articles:{seed}")
        self._pii_rate = pii_rate
        self._count = 0
        self.drifted = False

    def next(self) -> Article:
        """The next article, from the drifted mix while :attr:`drifted` is set."""
        rng = self._rng
        mix = DRIFTED_MIX if self.drifted else NORMAL_MIX
        topic = rng.choices(list(mix), weights=list(mix.values()))[0]
        self._count += 1
        return make_article(rng, f"a-{self._count:06d}", topic, self._pii_rate, self.drifted)

    def sample(self, n: int, *, drifted: bool = False) -> list[Article]:
        """``n`` articles from one mix without advancing the live stream (references).

        Drawn like the live stream, contact details at the same rate included: a quoted
        contact makes an article longer, and a reference without them would differ from
        the stream in length (a drift monitor rightly sees that).
        """
        rng = random.Random(f"sample:{self._rng.random()}")
        mix = DRIFTED_MIX if drifted else NORMAL_MIX
        topics = rng.choices(list(mix), weights=list(mix.values()), k=n)
        return [
            make_article(rng, f"r-{i:06d}", t, self._pii_rate, drifted)
            for i, t in enumerate(topics)
        ]


def make_article(
    rng: random.Random, article_id: str, topic: str, pii_rate: float, long_form: bool
) -> Article:
    """Build one article about ``topic`` (long-form copy has more sentences)."""
    keywords = TOPICS[topic]
    place = rng.choice(_PLACES)
    title = f"{rng.choice(keywords).capitalize()} {rng.choice(_VERBS)} in {place}"
    sentences = rng.randint(4, 7) if long_form else rng.randint(2, 4)
    body = " ".join(
        f"{rng.choice(_FILLER).capitalize()} {rng.choice(keywords)} in {place}, "
        f"{rng.choice(keywords)} and {rng.choice(keywords)}."
        for _ in range(sentences)
    )
    contact = None
    if rng.random() < pii_rate:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        if rng.random() < 0.5:
            contact = f"{first.lower()}.{last.lower()}@{place.lower()}-news.example.org"
        else:
            contact = f"+44 20 7946 0{rng.randint(100, 999)}"
        body += f" Tips to {first} {last} at {contact}."
    return Article(article_id, topic, title, body, contact)
