"""WARC input: records/s read by `read_warc`, and articles/s ingested end to end from a WARC archive.

Generates (seeded) a gzipped WARC of at least --records records shaped like a news crawl: each capture is a
request and its response, a third of them followed by a metadata record; most responses are article pages
of invented French news (UTF-8, a tenth in windows-1252 declared in the header), the rest images, PDFs,
stylesheets, 404 pages, redirects and the same article again under a second URL. Then prints (a) the
records/s and MB/s of `read_warc` alone, (b) the articles/s of recoupe's pipeline (clean, nlp, quotes,
dedupe, cluster, store) fed from the archive into a temporary SQLite store, on the first --ingest-limit
articles, (c) peak memory.

    .venv/bin/python bench/warc.py [--records 5000] [--ingest-limit 0 (all)] [--n-process 2] [--seed 8]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.warc import read_warc
from recoupe.records import RawArticle

# Invented places, people and happenings: every sentence below is made up for this benchmark.
TOWNS = [
    "Bellerive",
    "Valmer",
    "Saint-Aubin-des-Prés",
    "Montclar",
    "Lacroix-sur-Orge",
    "Serrières",
    "Brionne",
    "Castelnau-le-Bas",
    "Pierrefeu",
    "Villedieu-sur-Aure",
    "Roche-Morin",
    "Les Essarts-Blancs",
]
FIRST_NAMES = [
    "Hélène",
    "Paul",
    "Gérard",
    "Sophie",
    "Karim",
    "Élodie",
    "Julien",
    "Nadia",
    "Thierry",
    "Camille",
    "Yves",
    "Inès",
    "Mathieu",
    "Chloé",
    "Rémi",
]
LAST_NAMES = [
    "Garnier",
    "Verdier",
    "Lefèvre",
    "Morel",
    "Benali",
    "Roussel",
    "Fabre",
    "Delmas",
    "Chauvin",
    "Leroux",
    "Marchand",
    "Perrin",
    "Quéré",
]
ROLES = [
    "maire",
    "préfet",
    "présidente du conseil départemental",
    "secrétaire du syndicat",
    "directrice de l'hôpital",
    "procureur de la République",
    "président de l'association des commerçants",
    "adjointe aux finances",
]
SUBJECTS = [
    ("Fermeture du pont", "la fermeture du pont", "les travaux de réparation"),
    ("Grève au port", "la grève des dockers", "les négociations salariales"),
    ("Incendie dans un entrepôt", "l'incendie de l'entrepôt", "l'enquête sur les causes du sinistre"),
    ("Budget municipal adopté", "le budget municipal", "la hausse de la taxe foncière"),
    ("Crue de la rivière", "la crue de la rivière", "l'indemnisation des sinistrés"),
    ("Une usine va fermer", "la fermeture de l'usine", "le reclassement des salariés"),
    ("Festival de musique", "le festival de musique", "la sécurité du site"),
    ("Procès de l'ancien directeur", "le procès de l'ancien directeur", "les détournements de fonds"),
    ("Nouvelle ligne de tramway", "la nouvelle ligne de tramway", "le tracé définitif"),
    ("Pénurie de médecins", "la pénurie de médecins", "l'ouverture d'un centre de santé"),
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre"]
QUOTES = [
    "Nous ne pouvions pas attendre plus longtemps",
    "La sécurité des habitants passe avant tout",
    "Ce dossier sera réglé dans les prochaines semaines",
    "Nous irons jusqu'au bout pour obtenir gain de cause",
    "Personne ne sera laissé de côté",
    "Les chiffres parlent d'eux-mêmes",
    "Il faut maintenant rassurer les familles",
    "Nous avons été entendus, mais rien n'est encore signé",
]
SENTENCES = [
    "{Role} de {town}, {person}, a annoncé {weekday} {day} {month} 2025 {topic}.",
    "« {quote} », a déclaré {person}, {role} de {town}, devant une centaine de personnes.",
    "Selon les services de la ville, {number} habitants sont directement concernés par {topic}.",
    "{person} estime que {matter} devra être tranché avant la fin du mois de {month}.",
    "Une réunion publique est prévue le {day} {month} à la salle des fêtes de {town}.",
    "Les élus de l'opposition dénoncent un manque de concertation sur {matter}.",
    "Le coût de l'opération est estimé à {number} 000 euros, financés en partie par la région.",
    "Interrogé {weekday}, {person} a assuré que {matter} ne retarderait pas le calendrier prévu.",
    "À {town}, les commerçants du centre-ville craignent une baisse de leur chiffre d'affaires.",
    "Le dossier doit encore être examiné par le conseil municipal de {town} le {day} {month}.",
    "{person}, {role}, a promis de publier un bilan détaillé d'ici à l'été.",
    "D'après un rapport remis {weekday}, {number} incidents ont été recensés depuis janvier.",
]
NAV = ["Accueil", "Actualités", "Politique", "Économie", "Société", "Sports", "Culture", "Vos communes", "Météo"]
NON_HTML = [("image/jpeg", 20_000), ("image/png", 8_000), ("application/pdf", 30_000), ("text/css", 6_000)]


@dataclass
class Archive:
    """What the generated archive holds."""

    path: Path
    records: int = 0
    pages: int = 0  # article pages served with status 200, duplicates included
    duplicates: int = 0


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def article(rng: random.Random, number: int) -> tuple[str, list[str]]:
    """An invented French news article: title and paragraphs."""
    town = rng.choice(TOWNS)
    headline, topic, matter = rng.choice(SUBJECTS)
    cast = [person(rng) for _ in range(3)]
    paragraphs = []
    for _ in range(rng.randint(4, 8)):
        sentences = []
        for template in rng.sample(SENTENCES, rng.randint(2, 4)):
            role = rng.choice(ROLES)
            sentences.append(
                template.format(
                    Role=role[0].upper() + role[1:],
                    role=role,
                    town=town,
                    person=rng.choice(cast),
                    weekday=rng.choice(WEEKDAYS),
                    day=rng.randint(1, 28),
                    month=rng.choice(MONTHS),
                    topic=topic,
                    matter=matter,
                    quote=rng.choice(QUOTES),
                    number=rng.randint(12, 4_000),
                )
            )
        paragraphs.append(" ".join(sentences))
    return f"{headline} à {town} ({number})", paragraphs


def page_html(title: str, paragraphs: list[str], charset: str, related: list[str]) -> str:
    """A news page with the furniture of a real one: navigation, scripts, related links, footer."""
    nav = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(NAV))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    aside = "".join(f'<li><a href="/a/{i}">{t}</a></li>' for i, t in enumerate(related))
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="{charset}"><title>{title} | Le Courrier</title>'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
        f'<link rel="stylesheet" href="/static/site.css"></head><body><header><nav><ul>{nav}</ul></nav></header>'
        f'<main><article><h1>{title}</h1><p class="byline">Par la rédaction</p>{body}</article>'
        f"<aside><h2>Lire aussi</h2><ul>{aside}</ul></aside></main>"
        f"<footer><ul>{nav}</ul><p>Tous droits réservés.</p></footer></body></html>"
    )


def generate(path: Path, count: int, seed: int) -> Archive:
    """Write a gzipped WARC of at least `count` records."""
    rng = random.Random(seed)
    archive = Archive(path)
    start = datetime(2025, 3, 1)
    pages: list[tuple[bytes, str]] = []  # (body, charset label) of the article pages, for duplicates
    titles: list[str] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "recoupe bench/warc.py"}))
        archive.records += 1
        while archive.records < count:
            n = archive.records
            when = (start + timedelta(seconds=521 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            uri = f"https://courrier-{n % 7}.test/{n // 1000}/{n}"
            draw = rng.random()
            status, content_type, body = "200 OK", "text/html; charset=utf-8", b""
            extra: list[tuple[str, str]] = []
            if draw < 0.70:
                title, paragraphs = article(rng, n)
                charset = "windows-1252" if rng.random() < 0.1 else "utf-8"
                html = page_html(title, paragraphs, charset, rng.sample(titles, min(5, len(titles))))
                body = html.encode(charset)
                content_type = f"text/html; charset={charset}"
                pages.append((body, content_type))
                titles.append(title)
                archive.pages += 1
            elif draw < 0.78 and pages:
                body, content_type = rng.choice(pages)
                uri += "?amp=1"
                archive.pages += 1
                archive.duplicates += 1
            elif draw < 0.88:
                content_type, size = rng.choice(NON_HTML)
                body = rng.randbytes(rng.randint(size // 4, size))
            elif draw < 0.95:
                status = "404 Not Found"
                body = page_html("Page introuvable", ["Cette page n'existe pas ou plus."], "utf-8", []).encode()
            else:
                status, extra = "301 Moved Permanently", [("Location", uri + "/")]
            headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
            for record in capture(writer, uri, when, status, headers, body, with_metadata=rng.random() < 1 / 3):
                writer.write_record(record)
                archive.records += 1
    return archive


def capture(
    writer: WARCWriter,
    uri: str,
    when: str,
    status: str,
    headers: list[tuple[str, str]],
    body: bytes,
    with_metadata: bool,
) -> Iterator[Any]:
    """The request, response and (sometimes) metadata records of one fetch."""
    warc_headers = {"WARC-Date": when}
    request = StatusAndHeaders(f"GET {uri} HTTP/1.1", [("User-Agent", "bench")], is_http_request=True)
    yield writer.create_warc_record(
        uri, "request", payload=io.BytesIO(b""), http_headers=request, warc_headers_dict=warc_headers
    )
    response = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    yield writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=response, warc_headers_dict=warc_headers
    )
    if with_metadata:
        fields = b"fetchTimeMs: 120\r\n"
        yield writer.create_warc_record(
            uri,
            "metadata",
            payload=io.BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict=warc_headers,
        )


def first_articles(items: Iterable[RawArticle | InputError], limit: int) -> Iterator[RawArticle | InputError]:
    """The items up to the `limit`-th article (all of them when the limit is 0)."""
    seen = 0
    for item in items:
        if limit and seen >= limit:
            return
        seen += isinstance(item, RawArticle)
        yield item


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def bench_read(archive: Archive, config: Config) -> None:
    start = time.perf_counter()
    found = errors = 0
    for item in read_warc(archive.path, config):
        found += isinstance(item, RawArticle)
        errors += isinstance(item, InputError)
    elapsed = time.perf_counter() - start
    size = archive.path.stat().st_size / 1e6
    print(
        f"read_warc  {archive.records} records, {found} articles, {errors} errors in {elapsed:.2f} s:"
        f" {archive.records / elapsed:,.0f} records/s, {found / elapsed:,.0f} articles/s, {size / elapsed:.1f} MB/s"
    )
    if found != archive.pages or errors:
        raise SystemExit(f"expected {archive.pages} articles and no error")


def bench_ingest(archive: Archive, config: Config, limit: int) -> None:
    from recoupe.models import Models
    from recoupe.pipeline import Pipeline
    from recoupe.store import Store

    store = Store(config.db)
    models = Models(config)
    pipeline = Pipeline(config, store, models)
    french = models.reader(config.language)
    assert french is not None
    french.nlp  # load the spaCy model outside the timed part  # noqa: B018
    start = time.perf_counter()
    report = pipeline.run(first_articles(read_warc(archive.path, config), limit))
    elapsed = time.perf_counter() - start
    stories = len(store.stories())
    store.close()
    done = len(report.stored) + len(report.skipped) + len(report.failed)
    print(
        f"ingest     {done} articles from the archive ({len(report.stored)} stored, {len(report.skipped)} duplicates"
        f" skipped, {len(report.failed)} without text) in {elapsed:.1f} s: {done / elapsed:.1f} articles/s,"
        f" {len(report.stored) / elapsed:.1f} stored/s, {stories} stories, n_process={config.n_process}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=5000, help="records in the generated archive (at least)")
    parser.add_argument("--ingest-limit", type=int, default=0, help="ingest only the first N articles (0: all)")
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        archive = generate(Path(tmp) / "bench.warc.gz", args.records, args.seed)
        print(
            f"generated  {archive.records} records, {archive.pages} article pages ({archive.duplicates} duplicates),"
            f" {archive.path.stat().st_size / 1e6:.1f} MB gzipped, in {time.perf_counter() - start:.1f} s"
        )
        config = Config(db=Path(tmp) / "bench.db", n_process=args.n_process)
        bench_read(archive, config)
        bench_ingest(archive, config, args.ingest_limit)
    own, children = peak_rss_mb()
    print(f"peak memory: {own:.0f} MB in the main process, {children:.0f} MB in the largest worker")


if __name__ == "__main__":
    main()
