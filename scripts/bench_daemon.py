#!/usr/bin/env python3
"""Daemon and client figures (release builds), against a running `huojud serve`, as the
rows of issue #14's table, each beside the engine's own figure (`huojud bench`, in-process,
same index, same run), the ratio, and the target:

1. whole-process wall time of `huoju ping` and of `huoju search 科研助理` (median of N runs);
2. latency of `科研助理` over one persistent connection (p50/p99);
3. latency of a `limit 0` search and of `ping` over one persistent connection (p50);
4. throughput of `高新区 人才` from 8 concurrent clients (persistent connections), with the
   error count, against what the cores could do at the engine's p50.

    python3 scripts/bench_daemon.py --corpus /tmp/c100        # an existing corpus folder
    python3 scripts/bench_daemon.py --size 100                 # generate 100 MB first
    python3 scripts/bench_daemon.py --short                    # the bundled Samples/ (CI)
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from huoju_client import Connection

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")


def client_worker(args):
    path, query, count, expected = args
    conn = Connection(path)
    errors = 0
    start = time.perf_counter()
    for i in range(count):
        reply = conn.ask({"op": "search", "id": i, "query": query, "limit": 10})
        if not reply.get("ok") or reply.get("id") != i or reply["result"]["total"] != expected:
            errors += 1
    return count, errors, time.perf_counter() - start


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="corpus folder (default: generate --size MB)")
    ap.add_argument("--size", type=float, default=100)
    ap.add_argument("--short", action="store_true", help="Samples/ corpus, fewer runs (CI)")
    args = ap.parse_args()
    runs, latency_runs, per_client = (30, 300, 300) if not args.short else (10, 50, 30)

    subprocess.run(["swift", "build", "-c", "release", "--product", "huojud"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "huoju"], cwd=ROOT, check=True, capture_output=True)
    huojud, huoju = (os.path.join(ROOT, ".build/release", name) for name in ("huojud", "huoju"))

    work = tempfile.mkdtemp(prefix="huoju-daemon-")
    corpus = os.path.join(ROOT, "Samples") if args.short else args.corpus
    if corpus is None:
        corpus = os.path.join(work, "corpus")
        subprocess.run([sys.executable, os.path.join(SHARED, "tools/gen_corpus.py"), str(args.size), corpus], check=True, capture_output=True)
    sock, index = os.path.join(work, "huoju.sock"), os.path.join(work, "index")
    daemon = subprocess.Popen([huojud, "serve", "--corpus", corpus, "--index", index, "--socket", sock],
                              stderr=open(os.path.join(work, "log"), "w"))
    try:
        deadline = time.time() + 900
        while not os.path.exists(sock):
            if daemon.poll() is not None or time.time() > deadline:
                sys.exit("daemon did not start: " + open(os.path.join(work, "log")).read())
            time.sleep(0.05)

        # 0. The engine in-process, on the same index, before any load.
        def engine_p50(query, limit):
            out = subprocess.run([huojud, "bench", "--index", index, "--repeat", str(latency_runs), "--limit", str(limit), query],
                                 check=True, capture_output=True, text=True).stdout
            return json.loads(out.splitlines()[-1])["p50Ms"]
        engine = {"科研助理": engine_p50("科研助理", 10), "limit0": engine_p50("科研助理", 0), "高新区 人才": engine_p50("高新区 人才", 10)}

        # 1. Whole-process wall time of the client.
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([huoju, "search", "--socket", sock, "科研助理"], check=True, capture_output=True)
            walls.append((time.perf_counter() - t0) * 1000)
        ping_walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([huoju, "ping", "--socket", sock], check=True, capture_output=True)
            ping_walls.append((time.perf_counter() - t0) * 1000)

        # 2. One persistent connection.
        conn = Connection(sock)
        for i in range(20):
            conn.ask({"op": "search", "id": i, "query": "科研助理"})
        def timed(request):
            samples = []
            for i in range(latency_runs):
                t0 = time.perf_counter()
                conn.ask(dict(request, id=i))
                samples.append((time.perf_counter() - t0) * 1000)
            return samples
        samples = timed({"op": "search", "query": "科研助理"})
        limit0 = timed({"op": "search", "query": "科研助理", "limit": 0})
        pings = timed({"op": "ping"})

        # 3. Eight concurrent clients.
        expected = conn.ask({"op": "search", "id": 0, "query": "高新区 人才"})["result"]["total"]
        with multiprocessing.Pool(8) as pool:
            t0 = time.perf_counter()
            results = pool.map(client_worker, [(sock, "高新区 人才", per_client, expected)] * 8)
            elapsed = time.perf_counter() - t0
        total = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        status = conn.ask({"op": "status", "id": 1})["result"]

        print(f"corpus: {corpus} ({status['documents']} articles, {status['segments']} segments)")
        cores = os.cpu_count() or 1
        capacity = cores * 1000 / engine["高新区 人才"]
        rows = [
            ("huoju ping, whole process (median)", f"{statistics.median(ping_walls):.2f} ms", "-", "-", "<= 5 ms"),
            ("huoju search 科研助理, whole process (median)", f"{statistics.median(walls):.2f} ms",
             f"{engine['科研助理']:.3f} ms", f"{statistics.median(walls) / engine['科研助理']:.1f}x", "<= engine p50 + 5 ms"),
            ("one connection, 科研助理, p50", f"{percentile(samples, 0.5):.3f} ms", f"{engine['科研助理']:.3f} ms",
             f"{percentile(samples, 0.5) / engine['科研助理']:.2f}x", "<= engine p50 + 0.1 ms"),
            ("one connection, limit 0 search, p50", f"{percentile(limit0, 0.5):.3f} ms", f"{engine['limit0']:.3f} ms",
             f"{percentile(limit0, 0.5) / engine['limit0']:.2f}x", "<= 0.1 ms"),
            ("one connection, ping, p50", f"{percentile(pings, 0.5):.3f} ms", "-", "-", "-"),
            (f"8 clients, 高新区 人才, {errors} errors", f"{total / elapsed:.0f} q/s", f"{capacity:.0f} q/s ({cores} cores / p50)",
             f"{total / elapsed / capacity:.2f}x", ">= 0.8x (mixed log)"),
        ]
        header = ("measure", "daemon", "engine in-process", "ratio", "target")
        widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
        for row in [header] + rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        print(f"persistent connection, 科研助理: p99 {percentile(samples, 0.99):.3f} ms over {latency_runs} requests")
        search = status["latency"]["search"]
        print(f"daemon status, search: {search['count']} requests, p50 {search['p50Ms']:.3f} ms, p90 {search['p90Ms']:.3f} ms, "
              f"p99 {search['p99Ms']:.3f} ms, p99.9 {search['p999Ms']:.3f} ms")
        if errors:
            sys.exit(1)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
