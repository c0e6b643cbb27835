#!/usr/bin/env python3
"""The correctness gate: every system's answers against a brute-force scan
of the exported rows.

usage: gate.py ROWS.tsv QUERIES.jsonl OUT.json SYSTEM=RESULTS.jsonl [SYSTEM=RESULTS.jsonl …]

RESULTS.jsonl are the systems' answers to QUERIES.jsonl run with a large
limit (500, tsunagi's maximum page): {"i", "total", "ids"} per query.

Truth (visible rows only):
  text      NFKC + lower-case query is a substring of the row's haystack
            (name | kana | category and service labels | 診療科目 | address)
  category  the row has one of the category ids
  near      (no text, no radius) the 10 nearest by exact haversine; any id no
            farther than the 10th true distance (+5 cm) counts as right (ties)
  radius_m  haversine ≤ r;  bbox  W ≤ lng ≤ E and S ≤ lat ≤ N
  text + near: the set of text matches (near only orders); sets are compared,
  never orders. Points within 5 cm / 5e-7° of a boundary count either way.
A system that writes every match's id ("all_ids", tsunagi's --all-ids) is
compared on whole sets. When a system returned fewer ids than it matched
(total > 500), the false
positives are counted on the ids it did return and recall is estimated as
min(1, total × precision-of-returned ÷ |truth|) ("estimated" column).

tsunagi also matches, on purpose, synonyms (歯科 → デンタル), aliases, group
names, corporation names, notes, readings and name words in any order; its
ids outside the truth are counted as "by design" when the exported `extra`
text holds the query or a synonym variant, when the row's reading (名称_カナ
or MeCab's) holds the query's MeCab reading, or when every MeCab word of
the query is in its text (name, 診療科目, aliases …); the rest are unexplained false positives.

Writes OUT.json: {"summary": [{system, class, queries, recall_mean,
recall_min, queries_below_1, fp, fp_queries, fp_by_design, estimated,
total_mismatch (queries whose total is not the size of all_ids)}],
"failures": [examples]}.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from export import synonyms  # noqa: E402

EPS_M = 0.05      # Groonga stores points in milliseconds of arc (~3 cm)
EPS_DEG = 5e-7


def main():
    rows_path, queries_path, out_path = sys.argv[1:4]
    systems = [a.split("=", 1) for a in sys.argv[4:]]
    rows = common.read_rows(rows_path)
    queries = common.read_jsonl(queries_path)
    vis = [r for r in rows if r["visible"]]
    ids = np.array([r["id"] for r in vis])
    located = np.array([r["lat"] is not None for r in vis])
    lat = np.array([r["lat"] if r["lat"] is not None else 0.0 for r in vis])
    lng = np.array([r["lng"] if r["lng"] is not None else 0.0 for r in vis])
    rlat, rlng = np.radians(lat), np.radians(lng)
    hay = [r["hay"] for r in vis]
    extra = {r["id"]: r["hay"] + common.SEP + r["extra"] for r in vis}
    cat_sets = {}
    for k, r in enumerate(vis):
        for c in r["categories"]:
            cat_sets.setdefault(c, set()).add(k)
    syn = [[common.norm(w) for w in g] for g in synonyms()]

    def variants(t):
        out = [t]
        best = None
        for g in syn:
            for w in g:
                if w in t and (best is None or len(w) > len(best[0])):
                    best = (w, g)
        if best:
            out += [t.replace(best[0], o, 1) for o in best[1] if o != best[0]]
        return out

    text_cache = {}

    def text_rows(t):
        if t not in text_cache:
            text_cache[t] = {k for k, h in enumerate(hay) if t in h}
        return text_cache[t]

    def dist(la, lo):
        la, lo = math.radians(la), math.radians(lo)
        h = np.sin((rlat - la) / 2) ** 2 + np.cos(la) * np.cos(rlat) * np.sin((rlng - lo) / 2) ** 2
        d = 2 * common.EARTH_R * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        return np.where(located, d, np.inf)

    def truth(q):
        """(kind, strict set of row indexes, loose set, extra) — kind 'set' or 'nearest'."""
        mask = np.ones(len(vis), dtype=bool)
        loose = np.ones(len(vis), dtype=bool)
        if q.get("q"):
            parts = common.norm(q["q"]).split()
            sel = set.intersection(*(text_rows(p) for p in parts)) if parts else set(range(len(vis)))
            m = np.zeros(len(vis), dtype=bool)
            m[list(sel)] = True
            mask &= m
            loose &= m
        if q.get("category"):
            sel = set().union(*(cat_sets.get(c, set()) for c in q["category"]))
            m = np.zeros(len(vis), dtype=bool)
            m[list(sel)] = True
            mask &= m
            loose &= m
        if q.get("bbox"):
            w, s, e, n = common.parse_bbox(q["bbox"])
            mask &= located & (lng >= w + EPS_DEG) & (lng <= e - EPS_DEG) & (lat >= s + EPS_DEG) & (lat <= n - EPS_DEG)
            loose &= located & (lng >= w - EPS_DEG) & (lng <= e + EPS_DEG) & (lat >= s - EPS_DEG) & (lat <= n + EPS_DEG)
        d = None
        if q.get("near"):
            d = dist(*common.parse_point(q["near"]))
            if q.get("radius_m"):
                r = float(q["radius_m"])
                mask &= d <= r - EPS_M
                loose &= d <= r + EPS_M
            elif not q.get("q"):
                cand = np.where(mask & located)[0]
                if len(cand) == 0:
                    return "nearest", set(), set(), 0
                order = cand[np.argsort(d[cand], kind="stable")]
                top = order[:10]
                d10 = d[top[-1]]
                ok = set(cand[d[cand] <= d10 + EPS_M].tolist())
                return "nearest", set(top.tolist()), ok, len(top)
        return "set", set(np.where(mask)[0].tolist()), set(np.where(loose)[0].tolist()), None

    texts = sorted({p for q in queries if q.get("q") for p in common.norm(q["q"]).split()})
    readings = dict(zip(texts, (common.loose_reading(x) for x in common.mecab(texts, "yomi"))))
    words = dict(zip(texts, (x.split() for x in common.mecab(texts, "wakati"))))
    loose_text = {}
    index_of = {int(i): k for k, i in enumerate(ids)}
    truths = [truth(q) for q in queries]
    summary, failures = [], []
    for system, path in systems:
        results = {r["i"]: r for r in common.read_jsonl(path)}
        per_class = {}
        for i, q in enumerate(queries):
            kind, strict, loose, want = truths[i]
            res = results.get(i)
            c = per_class.setdefault(q["class"], {"recall": [], "fp": 0, "fp_queries": 0, "fp_by_design": 0,
                                                  "estimated": 0, "missing": 0, "total_mismatch": 0})
            if res is None:
                c["missing"] += 1
                c["recall"].append(0.0)
                continue
            # A system that gave every match (tsunagi's --all-ids) is
            # compared set to set: nothing to estimate.
            every = kind == "set" and "all_ids" in res
            got = [index_of.get(int(x), -1) for x in (res["all_ids"] if every else res["ids"])]
            gotset = set(got)
            if kind == "nearest":
                got10 = set(got[:10])
                right = got10 & loose
                recall = len(right) / want if want else (1.0 if not got10 else 0.0)
                recall = min(1.0, recall)
                wrong = got10 - loose
                by_design = set()
            else:
                wrong = gotset - loose
                by_design = set()
                if system == "tsunagi" and q.get("q") and wrong:
                    parts = common.norm(q["q"]).split()
                    vs = [v for p in parts for v in variants(p)]
                    rd = [readings[p] for p in parts if len(readings[p]) >= 2]
                    ws = [words[p] for p in parts]

                    def explained(k):
                        r = vis[k]
                        if any(v in extra[r["id"]] for v in vs):
                            return True   # synonym, alias, corporation name, notes
                        if r["id"] not in loose_text:
                            loose_text[r["id"]] = common.loose_reading(extra[r["id"]])
                        if any(len(lv) >= 2 and lv in loose_text[r["id"]] for lv in map(common.loose_reading, vs)):
                            return True   # the same, with kana folded (こすもす = コスモス)
                        if rd and all(x in r["reading"] for x in rd):
                            return True   # reading (also across word boundaries)
                        # every word of the query among the name's, or among the topics
                        # (診療科目, category aliases): tsunagi's word tiers, any order
                        return all(len(w) > 1 and all(x in extra[r["id"]] for x in w) for w in ws)
                    by_design = {k for k in wrong if k >= 0 and explained(k)}
                    # category filters still apply to by-design matches
                    if q.get("category"):
                        cs = set().union(*(cat_sets.get(x, set()) for x in q["category"]))
                        by_design &= cs
                    wrong -= by_design
                total = int(res.get("total", len(got)))
                if every and total != len(got):
                    c["total_mismatch"] += 1   # the count disagrees with the set
                complete = every or total <= len(got)
                if not strict:
                    recall = 1.0
                elif complete:
                    recall = len(gotset & strict) / len(strict)
                else:
                    c["estimated"] += 1
                    precision = len(gotset & loose) / max(1, len(gotset))
                    recall = min(1.0, total * precision / len(strict))
            c["recall"].append(recall)
            c["fp"] += len(wrong)
            c["fp_queries"] += bool(wrong)
            c["fp_by_design"] += len(by_design)
            if (recall < 1.0 - 1e-9 or wrong) and sum(1 for f in failures if f["system"] == system
                                                       and f["class"] == q["class"]) < 3:
                exp = sorted(int(ids[k]) for k in strict)
                failures.append({"system": system, "class": q["class"], "i": i, "query": q,
                                 "recall": round(recall, 4), "truth_count": len(strict),
                                 "total": res.get("total"),
                                 "expected_ids": exp[:20], "got_ids": [int(x) for x in res["ids"][:20]],
                                 "missing_ids": sorted(int(ids[k]) for k in (strict - gotset))[:20]
                                 if kind == "set" and len(got) >= int(res.get("total", 0)) else
                                 sorted(int(ids[k]) for k in (strict - gotset))[:20] if kind == "nearest" else [],
                                 "false_ids": sorted(int(ids[k]) if k >= 0 else -1 for k in wrong)[:20]})
        for cls, c in per_class.items():
            r = c["recall"]
            summary.append({"system": system, "class": cls, "queries": len(r),
                            "recall_mean": round(sum(r) / len(r), 6) if r else None,
                            "recall_min": round(min(r), 6) if r else None,
                            "queries_below_1": sum(1 for x in r if x < 1 - 1e-9),
                            "fp": c["fp"], "fp_queries": c["fp_queries"], "fp_by_design": c["fp_by_design"],
                            "estimated": c["estimated"], "missing": c["missing"],
                            "total_mismatch": c["total_mismatch"]})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"summary": summary, "failures": failures}, f, ensure_ascii=False, indent=1)
    for s in summary:
        print(f"{s['system']:10} {s['class']:16} recall {s['recall_mean']:.4f} (min {s['recall_min']:.3f}, "
              f"{s['queries_below_1']} <1)  FP {s['fp']} in {s['fp_queries']} q (by design {s['fp_by_design']})"
              f"{'  est ' + str(s['estimated']) if s['estimated'] else ''}"
              f"{'  total != set in ' + str(s['total_mismatch']) + ' q' if s['total_mismatch'] else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
