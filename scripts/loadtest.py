"""Load and fault test of the API on this machine: loopback only, bounded in count and time.

Starts two API servers on one database (a SQLite file in a temporary folder, or the
PostgreSQL database given with ``--postgres URL``), then:

1. **load**: concurrent clients read (health, lists, jobs, plans), upload scenarios and start
   solves against both servers for a fixed time, each request recorded with its latency;
2. **a killed worker**: the solver process of a running job is killed (SIGKILL); the job must
   end ``failed`` and both servers keep answering;
3. **a killed and restarted server**: server A is killed (SIGKILL, with its solver processes)
   while jobs run and wait, then started again;
4. **nothing lost**: once every job has ended, every accepted scenario, job, plan and agreement
   is read back from both servers and checked against what was accepted.

It prints requests, errors, p50/p95 latency, jobs accepted, survived and failed, and what was
lost (nothing, or the script exits 1)::

    python scripts/loadtest.py --short                 # CI: about a minute
    python scripts/loadtest.py --full                  # the figures in docs/reliability.md
    python scripts/loadtest.py --full --postgres postgresql+psycopg://user@127.0.0.1/loadtest
    python scripts/loadtest.py --crowd 200 --seconds 60  # many clients, one server (scripts/loadcrowd.py)

The PostgreSQL database is emptied first (its ``public`` schema is dropped): give a database
made for the test. Every request carries ``Authorization: Bearer <token>``: the ``--token`` given, or
an admin token the script creates on the database once the servers have migrated it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
TERMINAL = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class Profile:
    """How much load and for how long."""

    load_seconds: float
    clients: int
    max_requests: int
    solve_share: float
    settle_seconds: float


PROFILES = {
    "short": Profile(load_seconds=8, clients=4, max_requests=400, solve_share=0.04, settle_seconds=120),
    "full": Profile(load_seconds=60, clients=8, max_requests=20000, solve_share=0.02, settle_seconds=400),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``stageplanner serve`` on 127.0.0.1 in its own process group."""

    def __init__(self, name: str, database_url: str, folder: Path, settings: dict[str, str] | None = None):
        self.name, self.database_url, self.folder = name, database_url, folder
        self.settings = settings or {}  # STAGEPLANNER_* variables over the ones below
        self.process: subprocess.Popen | None = None
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STAGEPLANNER_") and k != "DATABASE_URL"}
        env |= {"STAGEPLANNER_DATABASE_URL": self.database_url, "STAGEPLANNER_DATA_DIR": str(self.folder / "files"),
                "STAGEPLANNER_MAX_CONCURRENT_SOLVES": "1", "STAGEPLANNER_DEFAULT_TIME_LIMIT": "5",
                "STAGEPLANNER_MAX_QUEUED_JOBS": "12", "STAGEPLANNER_JOB_LEASE_SECONDS": "4",
                # The clients share one token: the per-token rate limit is tested on its own, not here.
                "STAGEPLANNER_RATE_LIMIT_PER_SECOND": "100000", "STAGEPLANNER_RATE_LIMIT_BURST": "100000",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        env |= self.settings
        with (self.folder / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "planner.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"server {self.name} did not start within {timeout:g} s")

    def solver_processes(self) -> list[int]:
        """Pids of this server's worker processes (multiprocessing children, not its helpers)."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), 0)
            if ppid == self.process.pid and "spawn_main" in cmdline and "resource_tracker" not in cmdline:
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(30)
            self.kill()


@dataclass
class Record:
    """Everything the run sent and what the servers accepted."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    scenarios: dict[int, str] = field(default_factory=dict)  # id -> region
    jobs: dict[int, int] = field(default_factory=dict)  # id -> scenario id
    agreements: dict[int, int] = field(default_factory=dict)  # id -> plan id
    failovers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, seconds: float, response: httpx.Response | None, what: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if response is None:
                self.statuses["connection error"] += 1
                self.errors.append(f"{what}: no answer")
            else:
                self.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    self.errors.append(f"{what}: {response.status_code} {response.text[:200]}")


class Client:
    """Requests to one server, each recorded; when it does not answer, the request goes to the
    other server (as a load balancer in front of both would do) and counts as a failover."""

    def __init__(self, servers: list[Server], record: Record, token: str | None, first: int = 0):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.https = [httpx.Client(base_url=s.url, timeout=60, headers=headers)
                      for s in servers[first:] + servers[:first]]
        self.http = self.https[0]
        self.record = record

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started = time.monotonic()
        response = None
        for attempt, http in enumerate(self.https):
            try:
                response = http.request(method, path, **kwargs)
                break
            except httpx.HTTPError:
                if attempt + 1 < len(self.https):
                    with self.record.lock:
                        self.record.failovers += 1
        self.record.note(time.monotonic() - started, response, f"{method} {path}")
        return response


def _scenario_parts(index: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The embedded small scenario under its own name, as multipart parts (with its table files, if any)."""
    import yaml

    from planner.scenario.embedded import embedded_scenario

    path = embedded_scenario("small")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["name"] = f"load-{index}"
    parts = [("scenario", ("scenario.yaml", yaml.safe_dump(document, sort_keys=False).encode(), "application/yaml"))]
    for table in ("cohorts", "companies"):
        if isinstance(document.get(table), str):
            name = document[table].partition("#")[0]
            parts.append((table, (name, (path.parent / name).read_bytes(), "text/csv")))
    return parts


def _worker(client: Client, record: Record, profile: Profile, stop: threading.Event, seed: int) -> None:
    try:
        _requests(client, record, profile, stop, random.Random(seed))
    except Exception as err:  # noqa: BLE001 - a bug of the script counts as an error, not a crash
        with record.lock:
            record.errors.append(f"client {seed}: {type(err).__name__}: {err}")


def _requests(client: Client, record: Record, profile: Profile, stop: threading.Event, rng: random.Random) -> None:
    while not stop.is_set():
        with record.lock:
            if len(record.latencies) >= profile.max_requests:
                return
            scenario_ids = list(record.scenarios)
        roll = rng.random()
        if roll < profile.solve_share and scenario_ids:
            sid = rng.choice(scenario_ids)
            response = client.call("POST", f"/scenarios/{sid}/solve", json={"mode": "greedy", "time_limit": 5})
            if response is not None and response.status_code == 202:
                with record.lock:
                    record.jobs[response.json()["id"]] = sid
        elif roll < 0.10 or not scenario_ids:
            index = rng.randrange(10**9)
            response = client.call("POST", "/scenarios", files=_scenario_parts(index),
                                   params={"region": f"Load {index % 5}"})
            if response is not None and response.status_code == 201:
                with record.lock:
                    record.scenarios[response.json()["id"]] = response.json()["region"]
        else:
            path = rng.choice(["/health", "/scenarios", "/jobs", "/plans", "/regions", "/hotspots"])
            client.call("GET", path)


def _wait_all_ended(client: Client, record: Record, seconds: float) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + seconds
    jobs: dict[int, dict[str, Any]] = {}
    while True:
        with record.lock:
            pending = [job_id for job_id in record.jobs if jobs.get(job_id, {}).get("status") not in TERMINAL]
        for job_id in pending:
            response = client.http.get(f"/jobs/{job_id}")
            if response.status_code == 200:
                jobs[job_id] = response.json()
        if all(jobs.get(j, {}).get("status") in TERMINAL for j in record.jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.5)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _killed_worker(servers: list[Server], client: Client, record: Record, sid: int) -> dict[str, Any]:
    """Start a long solve, kill its worker process: the job fails, the servers keep serving."""
    response = client.call("POST", f"/scenarios/{sid}/solve", json={"mode": "optimise", "time_limit": 60})
    if response is None or response.status_code != 202:
        return {"killed_worker": "could not start a job", "ok": False}
    job_id = response.json()["id"]
    with record.lock:
        record.jobs[job_id] = sid
    deadline = time.monotonic() + 90
    victims: list[int] = []
    while time.monotonic() < deadline and not victims:
        job = client.http.get(f"/jobs/{job_id}").json()
        if job["status"] == "running":
            victims = [pid for server in servers for pid in server.solver_processes()]
        time.sleep(0.2)
    if not victims:
        return {"killed_worker": "no worker process found", "ok": False}
    before = {s.name: s.solver_processes() for s in servers}
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    ended = _wait_all_ended(client, Record(jobs={job_id: sid}), 60).get(job_id, {})
    healthy = all(httpx.get(f"{s.url}/health", timeout=5).status_code == 200 for s in servers)
    return {"killed_worker_pids": victims, "workers_before": before, "killed_job": job_id,
            "killed_job_status": ended.get("status"), "servers_healthy_after": healthy,
            "ok": healthy and ended.get("status") in ("failed", "done")}


def _admin_token(database_url: str) -> str:
    """An admin token made straight on the database the servers use (as ``stageplanner tokens create`` does)."""
    from api import crud
    from api.core.db import Database

    database = Database(database_url)
    try:
        with database.session() as session:
            _, token = crud.create_token(session, "load test", "admin", [])
            session.commit()
    finally:
        database.dispose()
    return token


def run(profile: Profile, database_url: str | None, token: str | None) -> dict[str, Any]:
    """One load and fault run; returns the figures (``lost`` empty and ``errors`` 0 when all is well)."""
    folder = Path(tempfile.mkdtemp(prefix="stageplanner-load-"))
    url = database_url or f"sqlite:///{folder / 'load.sqlite3'}"
    if database_url:
        _empty_postgres(database_url)
    servers = [Server("a", url, folder / "a"), Server("b", url, folder / "b")]
    record = Record()
    summary: dict[str, Any] = {"database": "postgresql" if database_url else "sqlite", "servers": 2}
    try:
        starters = [threading.Thread(target=s.start) for s in servers]  # both at once: migrations serialised
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        for server in servers:
            if server.process is None or server.process.poll() is not None:
                raise RuntimeError(f"server {server.name} did not come up next to the other")
        token = token or _admin_token(url)
        clients = [Client(servers, record, token, first=i % 2) for i in range(profile.clients)]
        stop = threading.Event()
        threads = [threading.Thread(target=_worker, args=(c, record, profile, stop, i)) for i, c in enumerate(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(profile.load_seconds / 2)
        # a killed and restarted server, in the middle of the load
        servers[0].kill()
        summary["server_killed_at_s"] = round(time.monotonic() - started, 1)
        servers[0].start()
        time.sleep(profile.load_seconds / 2)
        stop.set()
        for thread in threads:
            thread.join(120)
        summary["load_seconds"] = round(time.monotonic() - started, 1)
        checker = Client(servers, record, token, first=1)
        jobs = _wait_all_ended(checker, record, profile.settle_seconds)
        if record.scenarios:  # now that nothing else runs, the only worker process is this job's
            summary.update(_killed_worker(servers, checker, record, next(iter(record.scenarios))))
        jobs = _wait_all_ended(checker, record, profile.settle_seconds)
        _adopt_some(checker, record, jobs)
        summary.update(_check(servers, record, jobs, token))
    finally:
        for server in servers:
            server.stop()
    latencies = record.latencies
    summary.update({
        "requests": len(latencies), "errors": len(record.errors), "error_samples": record.errors[:5],
        "failovers": record.failovers,
        "statuses": {str(k): v for k, v in sorted(record.statuses.items(), key=lambda kv: str(kv[0]))},
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1), "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
    })
    return summary


def _adopt_some(client: Client, record: Record, jobs: dict[int, dict[str, Any]]) -> None:
    done = [job for job in jobs.values() if job["status"] == "done"][:3]
    for job in done:
        region = record.scenarios.get(job["scenario_id"], "Load 0")
        response = client.call("POST", f"/regions/{region}/agreements",
                               json={"plan_id": job["plan_id"], "adopted_by": "load test"})
        if response is not None and response.status_code == 201:
            record.agreements[response.json()["id"]] = job["plan_id"]


def _check(servers: list[Server], record: Record, jobs: dict[int, dict[str, Any]],
           token: str | None) -> dict[str, Any]:
    """Read back everything accepted, from both servers."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    lost: list[str] = []
    for server in servers:
        with httpx.Client(base_url=server.url, timeout=60, headers=headers) as http:
            for sid in record.scenarios:
                if http.get(f"/scenarios/{sid}").status_code != 200:
                    lost.append(f"{server.name}: scenario {sid}")
            for job_id, sid in record.jobs.items():
                job = http.get(f"/jobs/{job_id}")
                if job.status_code != 200 or job.json()["scenario_id"] != sid:
                    lost.append(f"{server.name}: job {job_id}")
                    continue
                body = job.json()
                if body["status"] not in TERMINAL:
                    lost.append(f"{server.name}: job {job_id} still {body['status']}")
                if body["status"] == "done":
                    plan = http.get(f"/plans/{body['plan_id']}")
                    if plan.status_code != 200 or plan.json()["scenario_id"] != sid:
                        lost.append(f"{server.name}: plan {body['plan_id']} of job {job_id}")
            for agreement_id, plan_id in record.agreements.items():
                found = http.get(f"/agreements/{agreement_id}")
                if found.status_code != 200 or found.json()["plan_id"] != plan_id:
                    lost.append(f"{server.name}: agreement {agreement_id}")
    statuses = Counter(job.get("status", "missing") for job in jobs.values())
    return {"scenarios_accepted": len(record.scenarios), "jobs_accepted": len(record.jobs),
            "jobs_done": statuses.get("done", 0), "jobs_failed": statuses.get("failed", 0),
            "jobs_cancelled": statuses.get("cancelled", 0),
            "jobs_survived": sum(1 for j in jobs.values() if j["status"] == "done"),
            "jobs_run_again": sum(1 for j in jobs.values() if j.get("attempts", 1) > 1),
            "agreements_accepted": len(record.agreements), "lost": lost}


def _empty_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--short", action="store_true", help="the CI configuration (default)")
    size.add_argument("--full", action="store_true", help="the configuration behind docs/reliability.md")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL database to use (emptied first)")
    parser.add_argument("--token", help="API token sent as a Bearer token")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--crowd", type=int, metavar="N", help="instead: N clients without think time against one "
                        "server, one token per 10 clients (scripts/loadcrowd.py)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the crowd runs (default 60)")
    args = parser.parse_args(argv)
    if args.postgres and not any(host in args.postgres for host in ("@127.0.0.1", "@localhost", "@[::1]", "host=/")):
        parser.error("--postgres must point to a database on this machine (127.0.0.1 or localhost)")
    profile = PROFILES["full" if args.full else "short"]
    database = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1) if args.postgres else None
    if args.crowd is not None:
        if not 1 <= args.crowd <= 1000 or not 1 <= args.seconds <= 600:
            parser.error("--crowd must be 1 to 1000 clients and --seconds 1 to 600")
        from loadcrowd import Crowd, crowd_ok, run_crowd  # the script's folder is on the path

        figures = run_crowd(Crowd(clients=args.crowd, seconds=args.seconds), database)
        print(json.dumps(figures, indent=2))
        print("RESULT", "ok: no 5xx, every request answered" if crowd_ok(figures) else "FAILED")
        return 0 if crowd_ok(figures) else 1
    summary = run(profile, database, args.token)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key:24} {value}")
    ok = summary["errors"] == 0 and not summary["lost"] and summary.get("ok", False)
    print("RESULT", "ok: nothing lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
