"""Latency of the web app under load: p50 and p95 of the story page and of search, 50 concurrent clients.

Builds (once, then reuses) a store of --articles synthetic articles written straight through the store's
methods (no spaCy): stories of ~50 articles over 5 dated events, 3 quotes and 4 mentions per article, 800
speakers, 12 outlets. Starts `recoupe serve` (--workers processes, by default one per core) on a free loopback
port, then drives --clients concurrent httpx clients in two phases, each until --requests requests or --seconds:
  paced:    each client pauses between its requests (exponential, mean --think seconds), like people reading;
  flat out: each client sends its next request as soon as the last one returns (saturation throughput).
The target (p95 <= 100 ms) is judged on the paced phase; the flat-out phase shows where the server saturates.
Latencies depend on what else the machine runs: each phase prints the load average at its start and the CPU time
the server's processes used per request (read from /proc, so on Linux only), which other processes change much
less.

The server saves each brief it builds in the store (the `briefs` table) and serves it from there until its story
gets another article, so a run after an earlier one finds them saved: the output says how many stories' briefs
were saved when the server started. --cold forgets them first, so story pages build their brief on first request.

    .venv/bin/python bench/api.py [--articles 100000] [--clients 50] [--requests 3000] [--seconds 60] [--think 1]
                                  [--without-brief] [--cold] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from recoupe.brief.build import builder_key
from recoupe.config import Config
from recoupe.records import Analysis, Article, Entity, Event, Mention, Quote, Story, stable_id
from recoupe.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEED = 20310302
SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo la le li lo lu ma me mi mo mu na ne ni no ra re ri ro ru sa se"
WORDS = [a + b + c for a in SYLLABLES.split()[:18] for b in SYLLABLES.split()[9:27] for c in ("", "n", "r", "s")]
OUTLETS = [f"Le Journal {n}" for n in ("du Nord", "du Sud", "de l'Est", "de l'Ouest", "des Îles", "du Centre")] + [
    f"Radio {n}" for n in ("Plaine", "Vallée", "Côte", "Montagne", "Ville", "Campagne")
]
STORY_SIZE = 50
EVENTS_PER_STORY = 5


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build(path: Path, count: int) -> None:
    """Write `count` synthetic articles with their stories, events, speakers, quotes and mentions."""
    rng = random.Random(SEED)
    speakers = [Entity(stable_id("ent", str(i)), f"{rng.choice(WORDS).capitalize()} {i}", "PER") for i in range(800)]
    started = time.perf_counter()
    with Store(path) as store:
        for first in range(0, count, 1000):
            with store.transaction():
                for i in range(first, min(first + 1000, count)):
                    store.save_analysis(_article(rng, i, speakers, store))
            print(f"\rbuilding store: {min(first + 1000, count)}/{count}", end="", file=sys.stderr)
    print(f"\rbuilt {count} articles in {time.perf_counter() - started:.0f} s{' ' * 20}", file=sys.stderr)


def _article(rng: random.Random, i: int, speakers: list[Entity], store: Store) -> Analysis:
    story_n, place = divmod(i, STORY_SIZE)
    story = stable_id("story", str(story_n))
    event_n = place * EVENTS_PER_STORY // STORY_SIZE
    event = stable_id("event", str(story_n), str(event_n))
    day = f"2030-{1 + story_n % 12:02d}-{1 + (story_n * 7 + event_n * 3) % 25:02d}"
    if place == 0:
        store.upsert_story(Story(story, sentence(rng, 6)))
    if place % (STORY_SIZE // EVENTS_PER_STORY) == 0:
        store.upsert_event(Event(event, story, day, sentence(rng, 7)))
    cast = [speakers[(story_n * 5 + k) % len(speakers)] for k in range(4)]
    aid = stable_id("art", str(i))
    parts: list[str] = []
    quotes: list[Quote] = []
    mentions: list[Mention] = []
    offset = 0
    for k in range(6):
        parts.append(sentence(rng, 14) + " ")
        offset += len(parts[-1])
        speaker = cast[k % len(cast)]
        if k < 3:
            words = sentence(rng, 10)[:-1]
            lead = "« "
            parts.append(f"{lead}{words} », a déclaré {speaker.name}. ")
            start = offset + len(lead)
            quotes.append(
                Quote(stable_id("q", aid, str(k)), aid, words, start, start + len(words), "direct", speaker.id, None)
            )
            name_at = offset + len(parts[-1]) - len(speaker.name) - 2
            mentions.append(Mention(aid, name_at, name_at + len(speaker.name), speaker.name, speaker.id))
            offset += len(parts[-1])
    text = "".join(parts).strip()
    article = Article(
        id=aid,
        source=f"https://bench.invalid/{i}",
        text=text,
        content_hash=stable_id("h", str(i)),
        title=sentence(rng, 8),
        outlet=OUTLETS[i % len(OUTLETS)],
        published=f"{day}T{8 + i % 12:02d}:00:00",
        story=story,
        event=event,
    )
    return Analysis(article=article, entities=cast, mentions=mentions, quotes=quotes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def drive(
    base: str, stories: list[str], speakers: list[str], args: argparse.Namespace, think: float
) -> dict[str, list[float]]:
    """Run the clients; each alternates story pages and searches, timing every request."""
    rng = random.Random(SEED + int(think * 1000))
    timings: dict[str, list[float]] = {"story page": [], "search": []}
    errors: list[str] = []
    budget = [args.requests]
    deadline = time.monotonic() + args.seconds
    # uvicorn closes idle connections after 5 s; dropping them first avoids reusing one it is closing.
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=4)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        turn = n
        while budget[0] > 0 and time.monotonic() < deadline:
            budget[0] -= 1
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
            turn += 1
            if turn % 2:
                kind, url, params = "story page", f"/stories/{rng.choice(stories)}", None
            else:
                params = {"q": f"{rng.choice(WORDS)} {rng.choice(WORDS)}" if turn % 4 else rng.choice(WORDS)}
                if turn % 3 == 0:
                    params["outlet"] = rng.choice(OUTLETS)
                if turn % 5 == 0:
                    params |= {"from": "2030-03-01", "to": "2030-09-30"}
                if turn % 7 == 0:
                    params["speaker"] = rng.choice(speakers)
                kind, url = "search", "/search"
            started = time.perf_counter()
            try:
                response = await http.get(url, params=params)
            except httpx.TransportError as err:
                errors.append(f"{type(err).__name__} {url}")
                continue
            timings[kind].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {url}")

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(n, http) for n in range(args.clients)))
    if errors:
        print(f"{len(errors)} failed requests, first: {errors[0]}", file=sys.stderr)
    return timings


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process and its descendants (the server's workers) have used so far, from /proc
    (None where there is no /proc)."""
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        child = int(stat.parent.name)
        parents[child], used[child] = int(fields[1]), int(fields[11]) + int(fields[12])  # ppid; utime + stime
    if pid not in used:
        return None
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(used[p] for p in tree) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause of a paced client, in seconds")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--without-brief", action="store_true", help="serve story pages without their brief")
    parser.add_argument("--cold", action="store_true", help="forget the briefs saved by earlier runs first")
    parser.add_argument("--workers", type=int, help="server processes (default: recoupe serve's, one per core)")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "recoupe-bench")
    args = parser.parse_args()

    db = args.data / f"api-{args.articles}-{SEED}.db"
    if not db.exists():
        args.data.mkdir(parents=True, exist_ok=True)
        partial = db.with_suffix(".partial")
        for leftover in args.data.glob(partial.name + "*"):
            leftover.unlink()
        build(partial, args.articles)
        partial.rename(db)
    with Store(db) as store:
        stories = [s["id"] for s in store.story_summaries(limit=1_000_000)]
        speakers = [s["id"] for s in store.top_speakers(limit=1000)]
        print(f"store: {store.count_articles()} articles, {len(stories)} stories ({db})", file=sys.stderr)
        if args.cold:
            store.clear_briefs()
        saved = store.fresh_briefs(builder_key(Config(db=db)))
    cache = "not used" if args.without_brief else f"{saved} of {len(stories)} stories' briefs saved at start"
    cache += " (warm)" if saved == len(stories) and not args.without_brief else ""

    port = free_port()
    # --without-brief has the server show story pages without their brief (neither built nor read from the store),
    # to tell the cost of the pages from the cost of briefs.
    # It patches this process only, so the server runs as one process (workers start afresh, unpatched).
    hide = (
        "import recoupe.server.state as s; s.AppState.brief = lambda self, story: None; " if args.without_brief else ""
    )
    recoupe = [sys.executable, "-c", hide + "from recoupe.cli import app; app()"]
    workers = 1 if args.without_brief else args.workers
    serve = ["serve", "--port", str(port), *(["--workers", str(workers)] if workers else [])]
    server = subprocess.Popen([*recoupe, "--db", str(db), *serve], stderr=subprocess.DEVNULL, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/stories?limit=1", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        phases = [("paced", args.think), ("flat out", 0.0)]
        results = []
        for name, think in phases:
            load, cpu, started = os.getloadavg()[0], cpu_seconds(server.pid), time.perf_counter()
            timings = asyncio.run(drive(base, stories, speakers, args, think))
            cpu_after = cpu_seconds(server.pid)
            used = cpu_after - cpu if cpu is not None and cpu_after is not None else None
            results.append((name, think, timings, time.perf_counter() - started, load, used))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"brief cache: {cache}")
    for name, think, timings, elapsed, load, used in results:
        total = [t for values in timings.values() for t in values]
        pause = f"mean pause {think:g} s" if think else "no pause"
        print(f"{name}: {len(total)} requests by {args.clients} clients ({pause}) in {elapsed:.1f} s", end="")
        print(f" ({len(total) / elapsed:.0f} req/s)")
        server_cpu = f"{used * 1000 / len(total):.1f} ms per request" if used is not None else "unknown"
        print(f"  machine load average {load:.2f} on {os.cpu_count()} CPUs at start; server CPU {server_cpu}")
        for kind, values in [*timings.items(), ("all", total)]:
            p50, p95 = percentile(values, 50), percentile(values, 95)
            print(f"  {kind:>10}: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   n={len(values)}")
        p95 = percentile(total, 95)
        if think:
            print(f"  target p95 <= 100 ms: {'met' if p95 <= 100 else 'NOT met'} ({p95:.1f} ms)")


if __name__ == "__main__":
    main()
