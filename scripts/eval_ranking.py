#!/usr/bin/env python3
"""Ranking evaluation of Huoju against hand-made relevance judgments.

Builds an index of the corpus in a temporary directory, runs every judged query of
Tests/Relevance/judgments.json through `huojud search --json --limit 10` (Huoju's ranking:
exact matches, then partial ones) and compares it with two baselines computed here from
`huojud parse --json` / `huojud analyze --json` output:

  bm25-or     plain BM25 (Lucene >= 8 formula, k1 1.2, b 0.75, title boost 2 + body) over the
              query's ICU words (word layer: >= 2 CJK chars or Latin), OR semantics;
  bm25-exact  the bm25-or ranking cut to the articles whose folded title or body contains
              every query part's folded text.

Metrics: nDCG@10 (gain 2^grade - 1, discount log2(rank + 1), ideal from all judged articles)
and recall@10 (fraction of the grade >= 1 articles found in the top 10).

Each judgment is resolved once, before anything is ranked, to the one parsed article it names:
file basename + title (loose: NFKC, whitespace stripped, containment allowed so a kicker or
subtitle does not break the match); an untitled judged item ("title": "") names the untitled
article whose parsed body contains the judgment's "contains" text. A judgment that names no
article or several, or the article another judgment of its query names, fails the run (exit
1). Hits are graded by the article they are (path + ordinal, confirmed by title), so each
judgment is credited at most once and nDCG stays within [0, 1].

Usage (from the repo root):
    python3 scripts/eval_ranking.py [--huojud PATH] [--judgments FILE] [--min-ndcg X]
                                    [--details] [--query Q ...]

Last line: `eval_ranking: huoju ndcg@10=X recall@10=Y | bm25-or ndcg@10=... | bm25-exact ...`.
Exits 1 on an unresolved judgment or when --min-ndcg is given and Huoju's mean nDCG@10 is below
it, 2 on tool errors.
Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bm25_check import (  # noqa: E402  (shared, independent re-implementation of the model)
    BOOST, DEFAULT_CORPUS, FIELDS, REPO, Corpus, ToolError, build_index, corpus_files, idf, loose,
    resolve_huojud, search, tf_norm, warn_if_stale,
)

K = 10
DEFAULT_JUDGMENTS = os.path.join(REPO, "Tests", "Relevance", "judgments.json")
SYSTEMS = ("huoju", "bm25-or", "bm25-exact")


# --------------------------------------------------------------------------- matching

def title_matches(judged: str, actual: str) -> bool:
    a, b = loose(judged), loose(actual)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return len(shorter) >= 4 and shorter in longer


def judgment_matches(j: dict, file: str, title: str, texts: list[str]) -> bool:
    """Does a (file, title, snippet/body texts) item match judgment j?"""
    if j["file"] != file:
        return False
    if j.get("title"):
        return title_matches(j["title"], title)
    needle = loose(j.get("contains", ""))
    return not loose(title) and bool(needle) and any(needle in loose(t) for t in texts)


def resolve_judgments(corpus: Corpus, queries: list[dict]) -> tuple[list[dict], list[str]]:
    """Each query's judgments keyed by the one parsed article each names, (path, ordinal) ->
    judgment; and the problems: a judgment that matches no article or several, two judgments
    of one query naming the same article. Any problem fails the run: an unresolved judgment
    would silently count as a miss, a shared one twice."""
    resolved, problems = [], []
    for q in queries:
        by_key: dict[tuple[str, int], dict] = {}
        for j in q["judgments"]:
            found = [a for a in corpus.articles if judgment_matches(j, a["file"], a["title"], [a["body"]])]
            label = f"query {q['query']!r}: judgment {j['file']} {j.get('title') or j.get('contains')!r}"
            if len(found) != 1:
                problems.append(f"{label} matches {'no article' if not found else f'{len(found)} articles'}")
                continue
            key = (found[0]["path"], found[0]["ordinal"])
            if key in by_key:
                problems.append(f"{label} names the article another judgment of the query names")
                continue
            by_key[key] = j
        if not q["judgments"]:
            problems.append(f"query {q['query']!r} has no judgments")
        resolved.append(by_key)
    return resolved, problems


def graded(by_key: dict[tuple[str, int], dict], article: dict) -> tuple[int, dict | None]:
    """An article's grade and judgment (0 and None when unjudged): each judgment is one article,
    so it is credited at most once in a ranking."""
    j = by_key.get((article["path"], article["ordinal"]))
    return (int(j["grade"]), j) if j else (0, None)


# --------------------------------------------------------------------------- metrics

def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(rank + 1) for rank, g in enumerate(grades[:K], start=1))


def ndcg(ranked_grades: list[int], judged_grades: list[int]) -> float:
    ideal = dcg(sorted(judged_grades, reverse=True))
    return dcg(ranked_grades) / ideal if ideal > 0 else 0.0


def recall(ranked_matches: list[dict | None], judgments: list[dict]) -> float:
    relevant = [j for j in judgments if j["grade"] >= 1]
    if not relevant:
        return 0.0
    found = {id(j) for j in ranked_matches[:K] if j is not None and j["grade"] >= 1}
    return len(found) / len(relevant)


# --------------------------------------------------------------------------- baselines

def bm25_or(corpus: Corpus, parts: list[dict]) -> list[tuple[dict, float]]:
    words: list[str] = []
    for p in parts:
        words += [w for w in p["words"] if w not in words]
    ranked = []
    for i, article in enumerate(corpus.articles):
        score = 0.0
        for field in FIELDS:
            dl = article[field + "_length"]
            if dl == 0:
                continue
            for w in words:
                tf = article[field + "_words"].get(w, 0)
                if tf:
                    score += BOOST[field] * idf(corpus.n, corpus.word_df[field][w]) * tf_norm(tf, dl, corpus.avgdl[field])
        if score > 0:
            ranked.append((i, article, score))
    ranked.sort(key=lambda t: (-t[2], t[0]))
    return [(a, s) for _, a, s in ranked]


def bm25_exact(corpus: Corpus, parts: list[dict], ranking: list[tuple[dict, float]]) -> list[tuple[dict, float]]:
    allowed = {id(a) for a in corpus.oracle(parts)}
    return [(a, s) for a, s in ranking if id(a) in allowed]


# --------------------------------------------------------------------------- main

def short(title: str, width: int = 26) -> str:
    title = "".join(title.split())
    return title if len(title) <= width else title[: width - 1] + "…"


def display_width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--huojud", help="huojud binary (default: .build/release/huojud if present, else .build/debug/huojud)")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"corpus directory (default {DEFAULT_CORPUS})")
    ap.add_argument("--judgments", default=DEFAULT_JUDGMENTS, help="judgments file (default Tests/Relevance/judgments.json)")
    ap.add_argument("--min-ndcg", type=float, help="exit 1 when Huoju's mean nDCG@10 is below this")
    ap.add_argument("--query", action="append", help="evaluate only these judged queries (repeatable)")
    ap.add_argument("--details", action="store_true", help="print each system's top 10 with grades, and missed articles")
    args = ap.parse_args()

    with open(args.judgments, encoding="utf-8") as fh:
        queries = json.load(fh)["queries"]
    if args.query:
        queries = [q for q in queries if q["query"] in args.query]
        if not queries:
            print("eval_ranking: error: no judged query matches --query", file=sys.stderr)
            return 2

    try:
        huojud = resolve_huojud(args.huojud)
        warn_if_stale(huojud)
        corpus = Corpus(huojud, corpus_files(args.corpus))
        if not corpus.articles:
            raise ToolError(f"no articles parsed from {args.corpus}")
        resolved, problems = resolve_judgments(corpus, queries)
        if problems:
            for problem in problems:
                print(f"FAIL {problem}")
            print(f"eval_ranking: {len(problems)} unresolved judgments", file=sys.stderr)
            return 1
        rows = []
        with tempfile.TemporaryDirectory(prefix="huoju-eval-") as tmp:
            index = build_index(huojud, args.corpus, tmp)
            for q, by_key in zip(queries, resolved):
                judgments = q["judgments"]
                judged = [int(j["grade"]) for j in judgments]
                parts = corpus.query_parts(q["query"])
                result = search(huojud, index, q["query"], K)
                lists: dict[str, list[tuple[str, int, dict | None, str]]] = {}
                huoju = []
                for hit in result.get("hits", [])[:K]:
                    article, note = corpus.find_hit(hit)
                    if article is None or note:
                        raise ToolError(f"query {q['query']!r}: hit {hit.get('path')}#{hit.get('ordinal')} "
                                        f"{hit.get('title', '')[:30]!r}: {note}")
                    grade, j = graded(by_key, article)
                    flag = "p" if hit.get("partial") else "e"
                    huoju.append((hit.get("title", "") or f"[untitled] {hit.get('snippet', '')[:20]}", grade, j, flag))
                lists["huoju"] = huoju
                ranking = bm25_or(corpus, parts)
                for name, ranked in (("bm25-or", ranking), ("bm25-exact", bm25_exact(corpus, parts, ranking))):
                    lists[name] = []
                    for article, score in ranked[:K]:
                        grade, j = graded(by_key, article)
                        label = article["title"] or f"[untitled] {article['body'][:20]}"
                        lists[name].append((label, grade, j, f"{score:.3f}"))
                metrics = {}
                for name in SYSTEMS:
                    grades = [g for _, g, _, _ in lists[name]]
                    metrics[name] = (ndcg(grades, judged), recall([j for _, _, j, _ in lists[name]], judgments))
                words = sorted({w for p in parts for w in p["words"]})
                rows.append({"query": q["query"], "relevant": sum(1 for g in judged if g >= 1), "metrics": metrics,
                             "lists": lists, "words": words, "total": result.get("total"),
                             "partialTotal": result.get("partialTotal"), "judgments": judgments})
    except ToolError as error:
        print(f"eval_ranking: error: {error}", file=sys.stderr)
        return 2

    impossible = [(r["query"], s, m[0]) for r in rows for s, m in r["metrics"].items() if not 0 <= m[0] <= 1 + 1e-12]
    if impossible:  # each judgment is credited once, so this would be a bug of this script
        print(f"eval_ranking: nDCG outside [0, 1]: {impossible}", file=sys.stderr)
        return 2
    qwidth = max(display_width(r["query"]) for r in rows) + 2
    header = (pad("query", qwidth) + "rel  exact  " + "  ".join(f"{s:>10}" for s in SYSTEMS)
              + "   recall@10 (huoju/or/exact)   ICU words")
    print("nDCG@10 per query")
    print(header)
    print("-" * display_width(header))
    for r in rows:
        m = r["metrics"]
        line = (pad(r["query"], qwidth) + f"{r['relevant']:>3}  {r['total']:>5}  "
                + "  ".join(f"{m[s][0]:>10.3f}" for s in SYSTEMS)
                + "   " + "/".join(f"{m[s][1]:.2f}" for s in SYSTEMS)
                + "        " + (" ".join(r["words"]) or "(none)"))
        print(line)
    print("-" * display_width(header))
    means = {s: (sum(r["metrics"][s][0] for r in rows) / len(rows), sum(r["metrics"][s][1] for r in rows) / len(rows))
             for s in SYSTEMS}
    print(pad("mean", qwidth) + " " * 12 + "  ".join(f"{means[s][0]:>10.3f}" for s in SYSTEMS)
          + "   " + "/".join(f"{means[s][1]:.2f}" for s in SYSTEMS))
    print("(rel = judged articles with grade >= 1; exact = Huoju's exact-match total)")

    if args.details:
        for r in rows:
            print(f"\n== {r['query']}  (huoju nDCG {r['metrics']['huoju'][0]:.3f}; exact {r['total']}, "
                  f"partial {r['partialTotal']})")
            for name in SYSTEMS:
                print(f"  {name}:")
                for rank, (label, grade, _, extra) in enumerate(r["lists"][name], start=1):
                    print(f"    {rank:>2}. [{grade}] {extra:>6}  {short(label, 40)}")
                found = {id(j) for _, _, j, _ in r["lists"][name] if j is not None}
                missed = [j for j in r["judgments"] if id(j) not in found]
                if missed:
                    print("      missed: " + "; ".join(f"[{j['grade']}] {short(j['title'] or j.get('contains', ''), 20)}"
                                                      for j in missed))

    print(f"eval_ranking: huoju ndcg@10={means['huoju'][0]:.4f} recall@10={means['huoju'][1]:.4f} | "
          f"bm25-or ndcg@10={means['bm25-or'][0]:.4f} recall@10={means['bm25-or'][1]:.4f} | "
          f"bm25-exact ndcg@10={means['bm25-exact'][0]:.4f} recall@10={means['bm25-exact'][1]:.4f}")
    if args.min_ndcg is not None and means["huoju"][0] < args.min_ndcg:
        print(f"eval_ranking: huoju mean nDCG@10 {means['huoju'][0]:.4f} < --min-ndcg {args.min_ndcg}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
