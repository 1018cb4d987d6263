"""Synthetic news pages and wire copies for benchmarks (no third-party text)."""

from __future__ import annotations

import random

PLACES = ["MOSCOW", "BERLIN", "NAIROBI", "LIMA", "OSLO", "HANOI", "QUITO", "ACCRA", "RIGA", "DOHA"]
AGENCIES = ["TASS", "Reuters", "AP", "AFP", "dpa"]
WORDS = ("government minister council vote budget harbour railway school hospital election court "
         "company market price energy water farmers police report official statement talks summit "
         "agreement plan city region province border trade exports weather storm festival museum "
         "university study scientists river bridge airport union strike bank rates growth").split()
NAMES = ["Anna Petrova", "John Smith", "Maria Lopez", "Chen Wei", "Amina Yusuf", "Lars Berg"]


def sentence(rng: random.Random, quote: bool = False) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    text = " ".join(words).capitalize()
    if quote:
        return f'"{text}," {rng.choice(NAMES)} said.'
    return text + "."


def story(rng: random.Random, paragraphs: int = 8) -> list[str]:
    return [" ".join(sentence(rng, quote=rng.random() < 0.2) for _ in range(rng.randint(2, 4)))
            for _ in range(paragraphs)]


def page(rng: random.Random, index: int, body: list[str]) -> str:
    """A news page with the usual chrome around the story (~25 KB like real pages)."""
    nav = "".join(f'<li><a href="/s/{i}">{rng.choice(WORDS).title()} news</a></li>' for i in range(60))
    related = "".join(f"<li><a href='/r/{i}'>{sentence(rng)}</a></li>" for i in range(15))
    place, agency = rng.choice(PLACES), rng.choice(AGENCIES)
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    title = sentence(rng)[:80]
    return (
        f"<!doctype html><html lang='en'><head><title>{title} | Daily Example</title>"
        f"<meta property='og:site_name' content='Daily Example'>"
        f"<meta name='description' content='{sentence(rng)}'>"
        f"<script>var x = {list(range(200))};</script><style>.a{{color:red}}</style></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
        f"<p class='byline'>By {rng.choice(NAMES)} | Published 2024-03-{index % 28 + 1:02d}</p>"
        f"<p>{place} ({agency}) - {body[0]}</p>{paragraphs[len(body[0]) + 7:]}"
        f"</article><aside><h2>Related</h2><ul>{related}</ul></aside></main>"
        f"<footer><p>Copyright 2024 Daily Example. All rights reserved.</p>{nav}</footer></body></html>"
    )


def pages(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [page(rng, i, story(rng)) for i in range(count)]
