#!/usr/bin/env python3
"""Writes the search benchmark's CSV and Markdown from the raw rows of a run.

usage: report.py RAW.csv OUT.csv OUT.md SIZE…

RAW.csv / OUT.csv rows: system,size,class,metric,value. Rows of OUT.csv for
sizes not run this time are kept, so one size can be re-run on the same day.
Machine and versions come from the environment (set by bench-search.sh).
"""
import csv
import json
import os
import sys
from collections import defaultdict

SYSTEMS = ["tsunagi", "sqlite", "postgres", "groonga"]
LABEL = {"tsunagi": "tsunagi", "sqlite": "SQLite FTS5+R*Tree", "postgres": "PostgreSQL pg_trgm+PostGIS",
         "groonga": "Groonga"}
CLASSES = ["Q1-rare", "Q1-medium", "Q1-common", "Q1-place", "Q2-kw-cat", "Q3-near", "Q4-r1km", "Q4-r5km",
           "Q5-z16", "Q5-z13", "Q5-z10", "Q6-kw-cat-near", "Q6-kw-bbox"]


def main():
    raw, out_csv, out_md = sys.argv[1:4]
    sizes_now = set(sys.argv[4:])
    rows = []
    if os.path.exists(out_csv):
        with open(out_csv, encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            next(r, None)
            rows += [x for x in r if len(x) == 5 and x[1] not in sizes_now]
    with open(raw, encoding="utf-8", newline="") as f:
        rows += [x for x in csv.reader(f) if len(x) == 5]
    rows.sort(key=lambda x: (int(x[1]), SYSTEMS.index(x[0]) if x[0] in SYSTEMS else -1, x[2], x[3]))
    with open(out_csv, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["system", "size", "class", "metric", "value"])
        w.writerows(rows)

    v = {}
    examples = defaultdict(list)
    for s, n, c, m, val in rows:
        if m == "example":
            examples[(s, int(n))].append(json.loads(val))
        else:
            v[(s, int(n), c, m)] = val
    sizes = sorted({int(x[1]) for x in rows})
    systems = [s for s in SYSTEMS if any(k[0] == s for k in v)]

    def num(s, n, c, m):
        x = v.get((s, n, c, m))
        try:
            return float(x)
        except (TypeError, ValueError):
            return None

    def correct(s, n, c):
        rec, fp = num(s, n, c, "gate_recall_mean"), num(s, n, c, "gate_fp")
        if rec is None:
            return None
        # A total that is not the size of the set given (--all-ids) is a wrong count.
        return rec >= 0.99995 and fp == 0 and not num(s, n, c, "gate_total_mismatch")

    e = os.environ
    md = [f"# Search benchmark — {e.get('DATE', '')}", "",
          f"- Machine: {e.get('NPROC')} CPUs, {e.get('MODEL')}, {int(e.get('MEM_KB', 0)) / 1048576:.1f} GiB RAM, "
          f"{e.get('KERNEL')}; shared with other work while it ran, so absolute times are noisy: "
          "compare medians and ratios from the same run, not across days.",
          f"- tsunagi: {e.get('RUSTC')}, release, commit {e.get('COMMIT')}, binary {e.get('BINARY_NOTE')}; peers: SQLite {e.get('SQLITE_VERSION')} "
          f"(python3 sqlite3), PostgreSQL {e.get('PG_VERSION')} (psycopg2), Groonga {e.get('GROONGA_VERSION')} (HTTP).",
          f"- Pinning: servers and in-process engines on CPU 0, clients on CPU 1 (`{e.get('PINNED')}`); "
          f"{e.get('WARMUP')} warm-up queries each; caches off (Groonga `cache=no`); "
          "PostgreSQL `max_parallel_workers_per_gather=0`, `jit=off`.",
          f"- Data: `scripts/gen_data.py N DIR --layout medical --seed {e.get('SEED')}` (自治体標準 医療機関一覧), "
          "imported by tsunagi; its facilities exported (scripts/bench/export.py) to one TSV that every peer loads: "
          "same rows, same ids. Queries: scripts/bench/queries.py, "
          f"{e.get('QUERIES')} per class, seeded, derived from the data, identical for every system, limit 10.",
          "- Times: tsunagi = `tsunagi bench queries` (in-process, one thread, `index.search` only); "
          "SQLite = in-process through Python's sqlite3 (the Python call is included); PostgreSQL and Groonga = "
          "Python client on the loopback (round trip included; the *client floor* row is that overhead alone: "
          "`SELECT 1` / `status`). tsunagi also counts every match (`total`) and ranks by match tier; the peers "
          "rank by their own measure (SQLite bm25, PostgreSQL position of the first match, Groonga score) and do not count.",
          *([f"- Note: {e['BENCH_NOTE']}"] if e.get("BENCH_NOTE") else []),
          "- Not run: Q7 map clusters (belongs to the web issue), Sphinx (optional, skipped for time), the HTTP "
          "(wrk) runs and the ceilings of BENCH.md (a later issue).",
          ""]
    md += ["## Datasets", "", "| rows | exported | file MB | sha256 of medical.csv |", "|---:|---:|---:|---|"]
    for n in sizes:
        fb = num("dataset", n, "-", "file_bytes")
        md.append(f"| {n:,} | {v.get(('dataset', n, '-', 'rows'), '?')} | {fb / 1e6 if fb else 0:.1f} | "
                  f"`{v.get(('dataset', n, '-', 'sha256'), '?')}` |")

    md += ["", "## Correctness gate (run first)", "",
           "Every system's answers to the same queries with limit 500 against a brute-force Python scan of the "
           "exported rows (scripts/bench/gate.py): text = the NFKC, lower-cased query is a substring of "
           "name | kana | category and service labels | 診療科目 | address; category = one of the ids; nearest-10 = "
           "exact haversine (ties allowed); radius and box = exact sets. Sets are compared, not orders. "
           "Cell: mean recall / false positives (ids outside the truth). ✗ = wrong: such a cell gets no rank "
           "below. tsunagi also gives every match's id (`bench queries --all-ids`), so its whole set is compared; "
           "where a peer matched more than 500, its recall is estimated from its total.", ""]
    foot = []
    for n in sizes:
        md += [f"### {n:,} rows", "", "| class | " + " | ".join(LABEL[s] for s in systems) + " |",
               "|---|" + "---:|" * len(systems)]
        for c in CLASSES:
            cells = []
            for s in systems:
                rec, fp = num(s, n, c, "gate_recall_mean"), num(s, n, c, "gate_fp")
                if rec is None:
                    cells.append("—")
                    continue
                extra = ""
                bd = num(s, n, c, "gate_fp_by_design")
                if s == "tsunagi" and bd:
                    extra = f" (+{bd:,.0f} by design)"
                mark = "" if correct(s, n, c) else " ✗"
                cells.append(f"{rec:.4f} / {fp:,.0f}{extra}{mark}")
            md.append(f"| {c} | " + " | ".join(cells) + " |")
        md.append("")
    md += ["*By design* (tsunagi only): ids outside the substring truth that tsunagi matches on purpose — a synonym "
           "(歯科 → デンタル), an alias or group name, the corporation name or notes, the reading (MeCab's reading of "
           "the query inside the name's reading), or every word of the query in the name in another order. "
           "They are not counted as false positives; the remaining ones are.", ""]

    md += ["## Latency (µs, per query, limit 10)", "",
           "ours ÷ best = tsunagi's time divided by the fastest peer that passed the gate for that class and size "
           "(< 1 = tsunagi faster). ✗ = failed the gate: shown, not ranked.", ""]
    for n in sizes:
        head = ["class", "tsunagi p50", "tsunagi p99", "tsunagi p99.9"]
        peers = [s for s in systems if s != "tsunagi"]
        for s in peers:
            head += [f"{LABEL[s]} p50", f"p99"]
        head += ["best correct peer", "ours ÷ best p50", "ours ÷ best p99"]
        md += [f"### {n:,} rows", "", "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 2) + "---|"[:0]
               + "---:|"]
        md[-1] = "|---|" + "---:|" * 3 + "---:|---:|" * len(peers) + "---|---:|---:|"
        for c in CLASSES:
            if num("tsunagi", n, c, "p50_us") is None:
                continue
            t50, t99, t999 = (num("tsunagi", n, c, m) for m in ("p50_us", "p99_us", "p999_us"))
            cells = [c, f"{t50:,.0f}", f"{t99:,.0f}", f"{t999:,.0f}"]
            best = None
            for s in peers:
                p50, p99 = num(s, n, c, "p50_us"), num(s, n, c, "p99_us")
                if p50 is None:
                    cells += ["—", "—"]
                    continue
                ok = correct(s, n, c)
                mark = "" if ok else " ✗"
                cells += [f"{p50:,.0f}{mark}", f"{p99:,.0f}"]
                if ok and (best is None or p50 < best[1]):
                    best = (s, p50, p99)
            if best:
                cells += [LABEL[best[0]], f"{t50 / best[1]:.2f}", f"{t99 / best[2]:.2f}"]
            else:
                cells += ["none correct", "—", "—"]
            if not correct("tsunagi", n, c):
                cells[0] += " ✗"
            md.append("| " + " | ".join(cells) + " |")
        floor = ["client floor (no query)", "in-process", "", ""]
        for s in peers:
            p50, p99 = num(s, n, "client-floor", "p50_us"), num(s, n, "client-floor", "p99_us")
            floor += [f"{p50:,.0f}" if p50 is not None else "—", f"{p99:,.0f}" if p99 is not None else "—"]
        md.append("| " + " | ".join(floor + ["", "", ""]) + " |")
        md.append("")

    md += ["## Build", "",
           "tsunagi: `import` with no dictionary (database only, so the import does not index), then `index rebuild` "
           "(its own timing); peak RSS from `/usr/bin/time -v`; index = `du -sb DIR/index`. Peers: load = rows into "
           "tables, index = building the text/geo/category indexes after loading; size = whole database "
           "(SQLite file, `pg_total_relation_size`, Groonga db files). RSS when serving: tsunagi/SQLite = peak of "
           "the benchmark process, PostgreSQL = sum over its processes, Groonga = server. Every build is pinned "
           "to CPU 0; tsunagi's rebuild is also timed on both cores (in brackets), the machine the target is "
           "set for.", "",
           "| rows | system | load/import s | rows/s | index s | index MB | peak RSS import / index MB | "
           "RSS serving MB |", "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        for s in systems:
            if s == "tsunagi":
                load, idx = num(s, n, "build", "import_s"), num(s, n, "build", "index_s")
                rss = " / ".join(f"{x / 1024:,.0f}" if x else "—" for x in
                                 (num(s, n, "build", "import_peak_rss_kb"), num(s, n, "build", "index_peak_rss_kb")))
                serve = num(s, n, "build", "serve_peak_rss_kb")
            else:
                load, idx = num(s, n, "build", "load_s"), num(s, n, "build", "index_s")
                r = num(s, n, "build", "load_peak_rss_kb")
                rss = f"{r / 1024:,.0f}" if r else "—"
                serve = num(s, n, "build", "serve_peak_rss_kb") or num(s, n, "build", "serve_rss_kb")
            size = num(s, n, "build", "index_bytes")
            if load is None:
                continue
            two = num(s, n, "build", "index_2cores_s")
            idx_cell = f"{idx if idx is not None else 0:,.2f}" + (f" ({two:,.2f} on 2 cores)" if two else "")
            md.append(f"| {n:,} | {LABEL[s]} | {load:,.2f} | {n / load if load else 0:,.0f} | "
                      f"{idx_cell} | {size / 1e6 if size else 0:,.1f} | {rss} | "
                      f"{serve / 1024 if serve else 0:,.0f} |")
    md += ["", "tsunagi's database (SQLite, with history) is not in the index size: "]
    md[-1] += ", ".join(f"{n:,} rows: {num('tsunagi', n, 'build', 'db_bytes') / 1e6:,.0f} MB"
                        for n in sizes if num("tsunagi", n, "build", "db_bytes"))
    md.append("")

    md += ["## Wrong answers, by example", "",
           "Up to three queries per system, size and class where recall < 1 or there were false positives "
           "(for tsunagi only unexplained ones). Ids are the exported facility ids.", ""]
    for n in sizes:
        for s in systems:
            ex = examples.get((s, n), [])
            if not ex:
                continue
            md.append(f"- **{LABEL[s]}, {n:,} rows**:")
            seen = set()
            for x in ex:
                if x["class"] in seen and s != "tsunagi":
                    continue
                seen.add(x["class"])
                q = {k: val for k, val in x["query"].items() if k not in ("class", "limit")}
                md.append(f"  - {x['class']} `{json.dumps(q, ensure_ascii=False)}`: recall {x['recall']}, "
                          f"truth {x['truth_count']}, system total {x['total']}; missing "
                          f"{x['missing_ids'][:8]}, false {x['false_ids'][:8]}")
        md.append("")
    md += [f"Raw values: `{os.path.basename(out_csv)}` (system, size, class, metric, value).", ""]
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
