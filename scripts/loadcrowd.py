"""Many clients against one API server on this machine (loopback only): ``loadtest.py --crowd N``.

N clients send requests without think time for a fixed time, one token per ten clients (a
region's or SBB's several users: editors of five regions, every tenth token an analyst), the
per-token rate limit at its default. The mix: liveness (``/health`` without a token), plan reads
(KPIs, shortages, map, hotspots), lists (scenarios, jobs, plans), and now and then a solve (editors)
or a marginal ranking (analysts) through the queue. The clients run in two processes (asyncio, one
kept-alive connection per client, HTTP written by hand to spend little CPU) next to the server.

It prints, per kind of request, the requests, the answers by status, p50 and p95 latency (of all
answers, and of the answers that were not a 429), and counts 429s of the rate limit and of the
queue apart: both are correct answers. The run fails (exit 1) on any 5xx answer or a request
that got no answer.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from loadtest import Server, _empty_postgres, _percentile, _scenario_parts

KINDS = ("health", "plan read", "list", "queue")
PLAN_READS = ("/plans/{id}", "/plans/{id}/shortages", "/plans/{id}/map", "/plans/{id}/hotspots")
LISTS = ("/scenarios", "/jobs", "/plans")
#: Marks the rate limit's 429 (answers in English: the clients send Accept-Language: en).
RATE_LIMITED = "too many requests with token"


@dataclass(frozen=True)
class Crowd:
    """How many clients, for how long, how they share tokens and processes."""

    clients: int = 200
    seconds: float = 60.0
    clients_per_token: int = 10
    processes: int = 2
    regions: int = 5
    request_threads: int | None = None  # the server's STAGEPLANNER_REQUEST_THREADS; None: its default


def _tokens(database_url: str, count: int, regions: int) -> list[dict[str, str]]:
    """Tokens made straight on the database: editors of regions ``Load 0..``, every tenth an analyst."""
    from api import crud
    from api.core.db import Database

    made = []
    database = Database(database_url)
    try:
        with database.session() as session:
            for index in range(count):
                region = f"Load {index % regions}"
                role = "analyst" if index % 10 == 9 else "editor"
                _, token = crud.create_token(session, f"crowd {index}", role, [] if role == "analyst" else [region])
                made.append({"token": token, "role": role, "region": region})
            _, admin = crud.create_token(session, "crowd admin", "admin", [])
            made.append({"token": admin, "role": "admin", "region": ""})
    finally:
        database.dispose()
    return made


def _seed(url: str, admin: str, regions: int) -> dict[str, dict[str, int]]:
    """A scenario per region, solved (greedy): region -> its scenario and plan."""
    headers = {"Authorization": f"Bearer {admin}", "Accept-Language": "en"}
    seeded: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        for index in range(regions):
            region = f"Load {index}"
            created = http.post("/scenarios", files=_scenario_parts(index), params={"region": region})
            created.raise_for_status()
            job = http.post(f"/scenarios/{created.json()['id']}/solve", json={"mode": "greedy", "time_limit": 10})
            job.raise_for_status()
            seeded[region] = {"scenario": created.json()["id"], "job": job.json()["id"]}
        for region, ids in seeded.items():
            deadline = time.monotonic() + 300
            while (job := http.get(f"/jobs/{ids['job']}").json())["status"] not in ("done", "failed", "cancelled"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the seed solve of {region} did not end")
                time.sleep(0.2)
            if job["status"] != "done":
                raise RuntimeError(f"the seed solve of {region} ended {job['status']}: {job.get('error')}")
            ids["plan"] = job["plan_id"]
            http.get(f"/plans/{ids['plan']}/map").raise_for_status()  # drawn once, as after the first reader
    return seeded


class _Connection:
    """One client's keep-alive HTTP/1.1 connection, written by hand: the clients share the machine with the
    server, so they spend as little CPU per request as they can (a general client costs several times more)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        for attempt in range(2):  # a kept-alive connection the server has just closed is opened again, once
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt:
                    raise
        raise ConnectionError("unreachable")

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept-Language: en",
                f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        if fields.get("transfer-encoding") == "chunked":
            content = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            content = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection") == "close":
            self.close()
        return status, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _client(server: tuple[str, int], user: dict[str, str], seeded: dict[str, dict[str, int]],
                  stop_at: float, rng: random.Random, out: list[tuple[str, str, float]]) -> None:
    connection = _Connection(*server)
    auth = {"Authorization": f"Bearer {user['token']}"}
    regions = list(seeded) if user["role"] == "analyst" else [user["region"]]
    while time.monotonic() < stop_at:
        roll = rng.random()
        own = seeded[rng.choice(regions)]
        body = b""
        if roll < 0.10:
            kind, method, path, headers = "health", "GET", "/health", {}
        elif roll < 0.65:
            kind, method, path, headers = "plan read", "GET", rng.choice(PLAN_READS).format(id=own["plan"]), auth
        elif roll < 0.99:
            kind, method, path, headers = "list", "GET", rng.choice(LISTS) + "?limit=20", auth
        else:
            kind, method, headers = "queue", "POST", {**auth, "Content-Type": "application/json"}
            if user["role"] == "analyst":
                path, body = f"/plans/{own['plan']}/marginal", b'{"top": 3, "verify": 0, "time_limit": 2}'
            else:
                path, body = f"/scenarios/{own['scenario']}/solve", b'{"mode": "greedy", "time_limit": 2}'
        started = time.monotonic()
        try:
            code, content = await connection.request(method, path, headers, body)
            status = str(code)
            if code == 429:
                status = "429 rate limit" if RATE_LIMITED.encode() in content else "429 queue share"
        except (OSError, asyncio.IncompleteReadError, ValueError) as err:
            status = f"no answer ({type(err).__name__})"
            connection.close()
        out.append((kind, status, time.monotonic() - started))
    connection.close()


def _process(url: str, users: list[dict[str, str]], seeded: dict[str, dict[str, int]], start_at: float,
             seconds: float, seed: int) -> list[tuple[str, str, float]]:
    """One process's clients (one user and one connection each), started together at ``start_at`` (wall clock)."""
    host, _, port = url.removeprefix("http://").partition(":")

    async def run() -> list[tuple[str, str, float]]:
        out: list[tuple[str, str, float]] = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_client((host, int(port)), user, seeded, stop_at, random.Random(seed * 1000 + i), out)
                               for i, user in enumerate(users)))
        return out

    try:
        import uvloop  # the server's event loop, when installed: less CPU for the clients too
    except ImportError:
        return asyncio.run(run())
    return uvloop.run(run())


def _figures(answers: list[tuple[str, str, float]], seconds: float) -> dict[str, Any]:
    by_kind: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for kind, status, latency in answers:
        by_kind[kind].append((status, latency))
    figures: dict[str, Any] = {}
    for kind in KINDS:
        rows = by_kind.get(kind, [])
        latencies = [latency for _status, latency in rows]
        served = [latency for status, latency in rows if not status.startswith("429")]
        figures[kind] = {
            "requests": len(rows), "statuses": dict(sorted(Counter(status for status, _l in rows).items())),
            "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
            "p95_ms_not_429": round(_percentile(served, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        }
    statuses = Counter(status for _kind, status, _l in answers)
    figures["total"] = {
        "requests": len(answers), "per_second": round(len(answers) / seconds, 1),
        "5xx": sum(count for status, count in statuses.items() if status.startswith("5")),
        "no_answer": sum(count for status, count in statuses.items() if status.startswith("no answer")),
        "429_rate_limit": statuses.get("429 rate limit", 0), "429_queue_share": statuses.get("429 queue share", 0),
    }
    return figures


def run_crowd(crowd: Crowd, database_url: str | None) -> dict[str, Any]:
    """Start a server, seed a plan per region, run the crowd; returns the figures."""
    folder = Path(tempfile.mkdtemp(prefix="stageplanner-crowd-"))
    url = database_url or f"sqlite:///{folder / 'crowd.sqlite3'}"
    if database_url:
        _empty_postgres(database_url)
    # The rate limit stays at its defaults: its 429s are counted, not avoided.
    settings = {"STAGEPLANNER_RATE_LIMIT_PER_SECOND": "10", "STAGEPLANNER_RATE_LIMIT_BURST": "40",
                "STAGEPLANNER_MAX_QUEUED_JOBS": "20"}
    if crowd.request_threads is not None:
        settings["STAGEPLANNER_REQUEST_THREADS"] = str(crowd.request_threads)
    server = Server("crowd", url, folder / "server", settings)
    summary: dict[str, Any] = {"database": "postgresql" if database_url else "sqlite", "clients": crowd.clients,
                               "tokens": -(-crowd.clients // crowd.clients_per_token), "seconds": crowd.seconds}
    try:
        server.start()
        regions = min(crowd.regions, summary["tokens"])  # no region without a token
        users = _tokens(url, summary["tokens"], regions)
        admin = users.pop()
        seeded = _seed(server.url, admin["token"], regions)
        clients = [users[i // crowd.clients_per_token] for i in range(crowd.clients)]
        shares = [clients[p::crowd.processes] for p in range(crowd.processes)]
        summary["load_average_before"] = round(os.getloadavg()[0], 1)
        start_at = time.time() + 2.0
        with ProcessPoolExecutor(crowd.processes) as pool:
            parts = [pool.submit(_process, server.url, share, seeded, start_at, crowd.seconds, index)
                     for index, share in enumerate(shares) if share]
            answers = [answer for part in parts for answer in part.result()]
        summary["load_average_after"] = round(os.getloadavg()[0], 1)
    finally:
        server.stop()
    summary.update(_figures(answers, crowd.seconds))
    return summary


def crowd_ok(summary: dict[str, Any]) -> bool:
    """No 5xx and no request without an answer."""
    return summary["total"]["5xx"] == 0 and summary["total"]["no_answer"] == 0
