#!/usr/bin/env python3
"""Index and query benchmark: Huoju against Tantivy, same corpus, same ICU words, one run.

Generates a corpus with ../shared/tools/gen_corpus.py, builds Huoju's index with the release
`huojud`, and reports MB/s, index size / raw size and in-process p50/p99 latency for five
query classes. Tantivy (PyPI `tantivy`) indexes the same articles, pre-segmented into the same
ICU words by `huojud export`, with a whitespace tokenizer; its queries are the ICU-word
equivalents (a CJK run becomes a phrase of its ICU words). Ratios are Huoju / Tantivy.

Two modes, each against its Tantivy counterpart: exact totals (Huoju's default; Tantivy with
`count=True`, which scores every match) and top-k only (`huojud bench --top-k`, a lower-bound
total; Tantivy with `count=False`, which lets it use block-max WAND). Huoju's timings include
fetching the hits' stored documents and building snippets; Tantivy is timed both ways: doc
addresses only, and with the 10 documents fetched and a `SnippetGenerator` body snippet each
(ratio+f). Also printed: peak resident memory while indexing, the index size split by file
kind, and opening (a whole `huojud search` process for a rare word; Tantivy reopening its
index in-process). Tantivy's end-to-end build adds the ICU segmentation that `huojud export`
does for it.

    python3 scripts/bench_search.py             # 100 MB
    python3 scripts/bench_search.py --short     # 5 MB, fewer repetitions (CI)
    python3 scripts/bench_search.py --size 1000 --workdir W --queries-only   # reuse W's indexes
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")

# (label, Huoju query, Tantivy query over fields title/body; {rare} is filled in)
QUERIES = [
    ("one word", "科研", "科研"),
    ("phrase", "科研助理", '"科研 助理"'),
    ("two parts", "高新区 人才", '"高 新 区" AND 人才'),
    ("rare word", "{rare}", "{rare}"),
    ("field filter", "section:创业孵化 人才", 'section:创业孵化 AND 人才'),
]
RARE_CANDIDATES = ["瞪羚", "独角兽", "揭榜挂帅", "颠覆性", "碳达峰", "专精特新", "孵化器"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def bytes_by_kind(path):
    """Bytes per file extension (Huoju: tdi, doc, pos, sto, len; Tantivy: idx, pos, store, …)."""
    kinds = {}
    for d, _, fs in os.walk(path):
        for f in fs:
            kind = f.rsplit(".", 1)[-1] if "." in f else f
            kinds[kind] = kinds.get(kind, 0) + os.path.getsize(os.path.join(d, f))
    return kinds


def run_measured(cmd):
    """Runs a process to completion; returns (stdout, peak resident MB) from its own rusage."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read()
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err)
        out.seek(0)
        return out.read().strip(), usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=float, default=100, help="corpus size in MB (default 100)")
    ap.add_argument("--short", action="store_true", help="5 MB and 30 repetitions (for CI)")
    ap.add_argument("--repeat", type=int, default=300, help="timed runs per query")
    ap.add_argument("--workdir", help="keep corpus and indexes here instead of a temp dir")
    ap.add_argument("--queries-only", action="store_true", help="reuse the indexes of an earlier run in --workdir: query and open figures only")
    args = ap.parse_args()
    if args.short:
        args.size, args.repeat = 5, 30

    try:
        import tantivy
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "tantivy"], check=False)
        try:
            import tantivy
        except ImportError:
            tantivy = None
            print("tantivy: not installable here; Huoju figures only", file=sys.stderr)

    work = args.workdir or tempfile.mkdtemp(prefix="huoju-bench-")
    os.makedirs(work, exist_ok=True)
    corpus, index, tindex = (os.path.join(work, n) for n in ("corpus", "index", "tantivy"))
    huojud = os.path.join(ROOT, ".build/release/huojud")
    print(f"building release huojud …", file=sys.stderr)
    run(["swift", "build", "-c", "release", "--product", "huojud"], cwd=ROOT)

    if not os.path.isdir(corpus):
        run([sys.executable, os.path.join(SHARED, "tools/gen_corpus.py"), str(args.size), corpus])
    raw = dir_bytes(corpus)

    if args.queries_only:
        if not (os.path.isdir(index) and os.path.isdir(tindex) or os.path.isdir(index) and tantivy is None):
            sys.exit("bench_search: --queries-only needs the indexes of an earlier run in --workdir")
    else:
        shutil.rmtree(index, ignore_errors=True)
        started = time.perf_counter()
        summary, huoju_peak = run_measured([huojud, "index", "--corpus", corpus, "--index", index])
        huoju_index_s = time.perf_counter() - started
    huoju_size = dir_bytes(index)

    text = "".join(open(os.path.join(corpus, f), encoding="utf-8").read() for f in sorted(os.listdir(corpus))[:200])
    rare = min(RARE_CANDIDATES, key=lambda w: (text.count(w) == 0, text.count(w)))
    # Tantivy gets the rare word as ICU splits it: one term, or a phrase of its ICU words.
    rare_words = json.loads(run([huojud, "analyze", "--json", rare]).stdout)["icuWords"]
    rare_tantivy = rare_words[0] if len(rare_words) == 1 else '"' + " ".join(rare_words) + '"'
    queries = [(label, h.format(rare=rare), t.format(rare=rare_tantivy)) for label, h, t in QUERIES]

    # Opening: a whole `huojud search` process for the rare word (open, search, 10 hits, exit).
    process_ms, process_rss = [], []
    for _ in range(11):
        t0 = time.perf_counter()
        _, rss = run_measured([huojud, "search", "--index", index, "--limit", "10", rare])
        process_ms.append((time.perf_counter() - t0) * 1000)
        process_rss.append(rss)

    huoju = {}
    for mode, flags in (("exact", []), ("topk", ["--top-k"])):
        bench = run([huojud, "bench", "--index", index, "--repeat", str(args.repeat)] + flags + [h for _, h, _ in queries]).stdout
        huoju[mode] = [json.loads(line) for line in bench.splitlines() if line.strip()]

    tantivy_rows = {}
    if tantivy is not None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("title", stored=True, tokenizer_name="whitespace")
        builder.add_text_field("body", stored=True, tokenizer_name="whitespace")
        builder.add_text_field("section", stored=True, tokenizer_name="raw")
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        schema = builder.build()
        if not args.queries_only:
            shutil.rmtree(tindex, ignore_errors=True)
            os.makedirs(tindex)
            started = time.perf_counter()
            exported = run([huojud, "export", "--corpus", corpus]).stdout.splitlines()
            export_s = time.perf_counter() - started
            t_index = tantivy.Index(schema, path=tindex)
            started = time.perf_counter()
            writer = t_index.writer(heap_size=512_000_000, num_threads=2)
            for line in exported:
                a = json.loads(line)
                writer.add_document(tantivy.Document(title=a["titleWords"], body=a["bodyWords"], section=a["section"], path=a["path"]))
            writer.commit()
            writer.wait_merging_threads()
            tantivy_index_s = time.perf_counter() - started
            del t_index
        # Opening: the index opened anew and the rare word searched, in this process.
        open_ms = []
        for _ in range(11):
            t0 = time.perf_counter()
            reopened = tantivy.Index.open(tindex)
            reopened.searcher().search(reopened.parse_query(rare_tantivy, ["title", "body"]), 10)
            open_ms.append((time.perf_counter() - t0) * 1000)
        t_index = tantivy.Index.open(tindex)
        searcher = t_index.searcher()

        def fetch_and_snippets(query, hits):
            """What Huoju returns per hit: the stored document and a highlighted body snippet."""
            snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
            for _, address in hits:
                snippets.snippet_from_doc(searcher.doc(address)).to_html()

        for mode, count in (("exact", True), ("topk", False)):
            for label, _, tq in queries:
                query = t_index.parse_query(tq, ["title", "body"], field_boosts={"title": 2.0, "body": 1.0})
                total = searcher.search(query, 10).count
                for _ in range(max(1, args.repeat // 10)):
                    searcher.search(query, 10, count=count)
                samples, full = [], []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    result = searcher.search(query, 10, count=count)
                    t1 = time.perf_counter()
                    fetch_and_snippets(query, result.hits)
                    samples.append((t1 - t0) * 1000)
                    full.append((time.perf_counter() - t0) * 1000)
                tantivy_rows[mode, label] = (total, percentile(samples, 0.5), percentile(samples, 0.99), percentile(full, 0.5))
        tantivy_size = dir_bytes(tindex)

    print(f"corpus: {raw / 1e6:.1f} MB, {len(os.listdir(corpus))} files   ({work})")
    split = "  ".join(f"{k} {v / raw:.3f}" for k, v in sorted(bytes_by_kind(index).items()) if v / raw >= 0.001)
    if args.queries_only:
        print(f"huoju:   index reused (not rebuilt): {huoju_size / 1e6:.1f} MB = {huoju_size / raw:.2f} × raw: {split}")
    else:
        print(f"huoju index: {summary}")
        print(f"huoju:   build {huoju_index_s:.1f} s = {raw / 1e6 / huoju_index_s:.1f} MB/s from raw files, peak {huoju_peak:.0f} MB resident; "
              f"index {huoju_size / 1e6:.1f} MB = {huoju_size / raw:.2f} × raw (stored text included): {split}")
    print(f"huoju:   open + search {rare} + exit as a whole process (huojud search): "
          f"p50 {percentile(process_ms, 0.5):.1f} ms, {max(process_rss):.0f} MB resident")
    if tantivy is not None and args.queries_only:
        print(f"tantivy: index reused (not rebuilt): {tantivy_size / 1e6:.1f} MB = {tantivy_size / raw:.2f} × raw")
        print(f"tantivy: open + search {rare} in-process: p50 {percentile(open_ms, 0.5):.1f} ms")
    elif tantivy is not None:
        tsplit = "  ".join(f"{k} {v / raw:.3f}" for k, v in sorted(bytes_by_kind(tindex).items()) if v / raw >= 0.001)
        end_to_end = export_s + tantivy_index_s
        print(f"tantivy: build {tantivy_index_s:.1f} s from pre-segmented text; with ICU segmentation (huojud export, "
              f"{export_s:.1f} s) {end_to_end:.1f} s = {raw / 1e6 / end_to_end:.1f} MB/s; "
              f"index {tantivy_size / 1e6:.1f} MB = {tantivy_size / raw:.2f} × raw: {tsplit}")
        print(f"tantivy: open + search {rare} in-process: p50 {percentile(open_ms, 0.5):.1f} ms")
        print(f"ratios (huoju / tantivy): build time {huoju_index_s / end_to_end:.2f}× (against tantivy with ICU), "
              f"{huoju_index_s / tantivy_index_s:.2f}× (against tantivy's build alone); size {huoju_size / tantivy_size:.2f}×")
    for mode, title in (("exact", "exact totals (tantivy count=True)"), ("topk", "top-k only (huoju --top-k, tantivy count=False)")):
        print(f"-- {title}; huoju's times include fetching 10 stored documents and building snippets")
        print(f"{'query':<14}{'huoju query':<24}{'hits':>7}{'p50 ms':>9}{'p99 ms':>9}   {'tantivy hits':>12}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'+fetch+snip':>12}{'ratio':>8}{'ratio+f':>9}")
        for (label, hq, _), row in zip(queries, huoju[mode]):
            t = tantivy_rows.get((mode, label))
            tail = (f"   {t[0]:>12}{t[1]:>9.3f}{t[2]:>9.3f}{t[3]:>12.3f}{row['p50Ms'] / t[1]:>7.1f}×{row['p50Ms'] / t[3]:>8.1f}×"
                    if t else "")
            total = f"{'' if row.get('totalIsExact', True) else '≥'}{row['total']}"
            print(f"{label:<14}{hq:<24}{total:>7}{row['p50Ms']:>9.3f}{row['p99Ms']:>9.3f}{tail}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
