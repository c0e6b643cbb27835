#!/usr/bin/env python3
"""Report of the HTTP benchmark (scripts/bench-http.sh).

usage: http_report.py RAW.csv PROBLEMS.txt OUT.csv OUT.md

RAW.csv rows: system_dataset,endpoint,concurrency,metric,value,run ("run1"…,
or empty for one-off values). OUT.csv keeps one row per
(system_dataset, endpoint, concurrency, metric): the median over runs, plus
`<metric>@runN` rows for req/s, p50 and p99 of every run. OUT.md: the
machine, the closed-loop tables with ratios to the constant ceiling, the
open-loop run, payload sizes, page weight, targets met or not, and the
product problems the script noticed. Machine and build facts come from the
environment (see the script). Python 3.11 standard library only.
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

RATIO_TARGET = 0.50           # API search ÷ constant ceiling at the highest concurrency
NATIONAL_VIEW_TARGET = 50_000  # bytes gzipped, /api/v1/clusters?zoom=5 on the national data
PAGE_TARGET = 150_000          # bytes gzipped, CSS + JS of the search page
ENDPOINTS = [
    ("constant", "`/__bench/constant` (ceiling, 1 KB JSON)"),
    ("search", "API search `/api/v1/facilities?q=…&per_page=20` (rotating)"),
    ("search_fresh", "API search, `Cache-Control: no-cache` (every answer made afresh)"),
    ("clusters_z5", "clusters zoom 5, Japan `bbox=122,20,154,46`"),
    ("clusters_z13", "clusters zoom 13 viewports (rotating)"),
    ("html_search", "HTML search page `/?q=歯科`"),
    ("constant_gzip", "constant, `Accept-Encoding: gzip`"),
    ("search_gzip", "API search, `Accept-Encoding: gzip`"),
]
PER_RUN = {"ok_rps", "p50_ms", "p99_ms"}
SLOW_DRAIN_S = 5  # a server still busy this long after the load stopped is reported


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def fmt(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def ms(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def pct(x):
    return "–" if x is None else f"{100 * x:.1f}%"


def main():
    raw_path, problems_path, out_csv, out_md = sys.argv[1:5]
    runs = defaultdict(dict)   # (sys, ep, c, metric) -> {run: value}
    single = {}                # (sys, ep, c, metric) -> value (string)
    order = []
    for r in csv.reader(open(raw_path, encoding="utf-8")):
        if len(r) < 5:
            continue
        sysds, ep, c, metric, value = r[:5]
        run = r[5] if len(r) > 5 else ""
        key = (sysds, ep, c, metric)
        if key not in runs and key not in single:
            order.append(key)
        if run:
            v = num(value)
            if v is not None:
                runs[key][run] = v
        else:
            single[key] = value

    def med(sysds, ep, c, metric):
        key = (sysds, ep, str(c), metric)
        if key in runs and runs[key]:
            return statistics.median(runs[key].values())
        if key in single:
            return num(single[key])
        return None

    def one(sysds, ep, metric, c="-"):
        return single.get((sysds, ep, c, metric))

    def bad_desc(sysds, ep, c):
        """Non-2xx responses by status and socket errors, medians per run."""
        parts = []
        for key in sorted(k for k in runs if k[0] == sysds and k[1] == ep and k[2] == str(c)):
            m = key[3]
            v = statistics.median(runs[key].values())
            if m.startswith("status_") and not m[7:].startswith("2") and v:
                parts.append(f"{fmt(v)}× {m[7:]}")
            elif m.startswith("err_") and m != "err_status" and v:
                parts.append(f"{fmt(v)} {m[4:]} errors")
        if not parts and (med(sysds, ep, c, "err_status") or 0) > 0:
            parts.append(f"{fmt(med(sysds, ep, c, 'err_status'))} non-2xx")
        return ", ".join(parts) or "0"

    # ------------------------------------------------------------ CSV
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["system_dataset", "endpoint", "concurrency", "metric", "value"])
        w.writerow(["machine", "-", "-", "date", os.environ.get("DATE", "")])
        w.writerow(["machine", "-", "-", "nproc", os.environ.get("NPROC", "")])
        w.writerow(["machine", "-", "-", "cpu_model", os.environ.get("MODEL", "")])
        w.writerow(["machine", "-", "-", "ram_gib", f"{int(os.environ.get('MEM_KB', '0')) / 1048576:.1f}"])
        for key in order:
            if key in runs and runs[key]:
                v = statistics.median(runs[key].values())
                w.writerow([*key, f"{v:.6g}"])
                if key[3] in PER_RUN:
                    for run, x in sorted(runs[key].items()):
                        w.writerow([*key[:3], f"{key[3]}@{run}", f"{x:.6g}"])
            elif key in single:
                w.writerow([*key, single[key]])
        # derived ratios
        for sysds in sorted({k[0] for k in order if k[0].startswith("tsunagi/")}):
            for c in sorted({k[2] for k in order if k[0] == sysds and k[1] == "constant" and k[2] != "-"}, key=int):
                for ep, _ in ENDPOINTS[1:]:
                    b = med(sysds, "constant_gzip" if ep.endswith("_gzip") else "constant", c, "ok_rps")
                    x = med(sysds, ep, c, "ok_rps")
                    if x is not None and b:
                        w.writerow([sysds, ep, c, "ok_rps_ratio_to_constant", f"{x / b:.4f}"])

    # ------------------------------------------------------------ Markdown
    env = os.environ.get
    systems = [s for s in ("tsunagi/real", "tsunagi/national") if any(k[0] == s for k in order)]
    label = {"tsunagi/real": "real (bundled data)", "tsunagi/national": f"national ({int(env('NATIONAL_N', '0')):,} rows)"}
    conc = sorted({int(k[2]) for k in order if k[1] == "constant" and k[2] != "-"})
    max_c = str(max(conc)) if conc else "32"
    L = []
    add = L.append
    add(f"# HTTP benchmark — {env('DATE', '')}")
    add("")
    mem_gib = int(env("MEM_KB", "0")) / 1048576
    add(f"- Machine: {env('NPROC')} CPUs ({env('MODEL')}), {mem_gib:.1f} GiB RAM, {env('KERNEL')}. "
        f"Load average (1/5/15 min) at start {env('LOAD_START')}, at end {env('LOAD_END')}.")
    add(f"- The machine is shared: busiest processes at start: {env('TOP_START')}; at end: {env('TOP_END')}. "
        "Absolute numbers are noisy; compare ratios measured in the same run.")
    add(f"- Build: {env('RUSTC')}, release profile, commit {env('COMMIT')}; {env('BINARY_NOTE')}.")
    add("- Kept answers: the server keeps the answers of API URLs for the next client (`--response-cache-mb`, 32 MB "
        "by default, emptied by any import or edit). The rotating URL lists repeat (see *distinct* below), so after the "
        "first round `search` and `clusters_z13` are mostly answered from memory; `search_fresh` sends "
        "`Cache-Control: no-cache`, so every answer is searched and serialized afresh: that row is the search engine's own cost.")
    add(f"- Server: `tsunagi serve --workers 1 --bench-routes`, pinned `{env('PINNED')}`. "
        f"Closed loop: {env('WRK_VERSION')} `-t1 -c{{{','.join(map(str, conc))}}} -d{env('DURATION')} --latency`, pinned `taskset -c 1`, "
        f"URLs rotating round-robin (`scripts/bench/http_wrk.lua`), no Accept-Encoding unless marked gzip; "
        f"{env('REPEAT')} runs interleaved (run → concurrency → endpoint), medians shown; each endpoint warmed {env('WARMUP')} first.")
    if env("WRK_HAS_RATE") == "1":
        add("- Open loop: `wrk -R` (wrk2) at 50% of the best closed-loop rate of answers made afresh (`Cache-Control: no-cache`).")
    else:
        add(f"- Open loop: this wrk has no `-R`, so `scripts/bench/http_openloop.py` ({env('PYTHON_VERSION')}, asyncio, "
            f"{env('OPEN_CONNECTIONS')} keep-alive HTTP/1.1 connections, one request in flight each): constant arrival rate at 50% of the "
            f"best closed-loop rate of answers made afresh (median over runs), every request with `Cache-Control: no-cache`, {env('OPEN_DURATION')} s measured after {env('OPEN_WARMUP')} s warm-up, "
            "latency from each request's *due* time (queueing included, no coordinated omission), pinned `taskset -c 1`.")
    add("- Server CPU µs/req: run time of all the server's threads during the run (`/proc/PID/task/*/schedstat`) ÷ requests; "
        "CPU share = that run time ÷ wall time (100% = all of CPU 0), run-queue wait = time its threads were runnable but waiting "
        "for a CPU ÷ wall time. On this shared machine other processes also run on CPU 0, so req/s understates what a dedicated "
        "core gives; CPU per request does not depend on that.")
    add("- KB in the targets = 1,000 bytes (the stricter reading).")
    add("")

    # datasets
    add("## Datasets")
    add("")
    add("| dataset | source | files | facilities | import wall s | import peak RSS MB |")
    add("|---|---|---:|---:|---:|---:|")
    for s in systems:
        src = ("every CSV/XLSX under `data/jichitai`, `data/mhlw`" if s.endswith("real")
               else f"`scripts/gen_data.py {env('NATIONAL_N')} DIR --layout all --seed {env('SEED')}`")
        add(f"| {label[s]} | {src} | {one(s, 'import', 'files') or '–'} | {fmt(num(one(s, 'import', 'facilities') or ''))} | "
            f"{fmt(num(one(s, 'import', 'wall_s') or ''))} | {fmt(num(one(s, 'import', 'peak_rss_mb') or ''))} |")
    gen = [(k[1].split(":", 1)[1], single.get((k[0], k[1], "-", "rows")), single.get((k[0], k[1], "-", "sha256")))
           for k in order if k[0] == "tsunagi/national" and k[1].startswith("generate:") and k[3] == "sha256"]
    if gen:
        add("")
        add("Generated files (rows, sha256): " + "; ".join(f"`{n}` {int(r):,} `{h[:16]}…`" for n, r, h in gen) + ".")
    add("")
    add("Request URLs, built from each served dataset (`scripts/bench/http_queries.py`, seeded) and each distinct URL fetched once before the load:")
    add("")
    add("| dataset | URL list | URLs | distinct | non-200 | zero hits | median total_items |")
    add("|---|---|---:|---:|---:|---:|---:|")
    for s in systems:
        for ep in ("search", "clusters_z13", "clusters_z5", "html_search", "constant"):
            if one(s, ep, "urls") is None:
                continue
            add(f"| {label[s]} | {ep} | {one(s, ep, 'urls')} | {one(s, ep, 'distinct_urls')} | {one(s, ep, 'non_200_urls')} | "
                f"{one(s, ep, 'zero_hit_urls') or '–'} | {fmt(num(one(s, ep, 'median_total_items') or ''))} |")
    add("")
    add("Search URL classes (of 400): keyword (訪問看護, 歯科, 内科, 薬局, デイサービス + 12 more), municipality name "
        "(weighted by facilities), name fragment from sampled facilities, + `&near=lat,lng` of a sampled facility, + `&category=`.")
    add("")

    # headline
    add("## Targets")
    add("")
    add("| check | " + " | ".join(label[s] for s in systems) + " | target | met |")
    add("|---|" + "---:|" * len(systems) + "---|---|")
    vals = []
    for s in systems:
        b, x = med(s, "constant", max_c, "ok_rps"), med(s, "search", max_c, "ok_rps")
        vals.append(x / b if b and x is not None else None)
    met = all(v is not None and v >= RATIO_TARGET for v in vals)
    add(f"| API search ÷ constant ceiling, 2xx req/s at c={max_c} | " + " | ".join(pct(v) for v in vals) +
        f" | ≥ {RATIO_TARGET:.0%} | {'yes' if met else '**no**'} |")
    vals = []
    for s in systems:
        b, x = med(s, "constant", max_c, "ok_rps"), med(s, "search_fresh", max_c, "ok_rps")
        vals.append(x / b if b and x is not None else None)
    if any(v is not None for v in vals):
        add(f"| same, every answer made afresh (`Cache-Control: no-cache`, no kept answers) | " +
            " | ".join(pct(v) for v in vals) +
            f" | (≥ {RATIO_TARGET:.0%}) | {'yes' if all(v is not None and v >= RATIO_TARGET for v in vals) else 'no'} |")
    vals = []
    for s in systems:
        b, x = med(s, "constant", max_c, "server_cpu_us_per_req"), med(s, "search", max_c, "server_cpu_us_per_req")
        vals.append(b / x if b and x else None)
    if any(v is not None for v in vals):
        add(f"| same, from the server's CPU time per request (constant ÷ search; contention-free estimate) | " +
            " | ".join(pct(v) for v in vals) +
            f" | (≥ {RATIO_TARGET:.0%}) | {'yes' if all(v is not None and v >= RATIO_TARGET for v in vals) else 'no'} |")
    vals = []
    for s in systems:
        b, x = med(s, "constant_gzip", max_c, "ok_rps"), med(s, "search_gzip", max_c, "ok_rps")
        vals.append(x / b if b and x is not None else None)
    if any(v is not None for v in vals):
        add(f"| same, both with Accept-Encoding: gzip | " + " | ".join(pct(v) for v in vals) +
            f" | (≥ {RATIO_TARGET:.0%}) | {'yes' if all(v is not None and v >= RATIO_TARGET for v in vals) else 'no'} |")
    nat = "tsunagi/national"
    gz = med(nat, "clusters_z5_view", "-", "gzip_bytes") if nat in systems else None
    add(f"| national view `/api/v1/clusters?zoom=5&bbox=122,20,154,46`, gzip bytes on the wire | " +
        " | ".join(fmt(med(s, "clusters_z5_view", "-", "gzip_bytes")) for s in systems) +
        f" | ≤ {NATIONAL_VIEW_TARGET:,} (national data) | {'–' if gz is None else 'yes' if gz <= NATIONAL_VIEW_TARGET else '**no**'} |")
    page = {}
    for s in systems:
        assets = [k[1] for k in order if k[0] == s and k[1].startswith("page:/") and k[3] == "gzip_bytes"]
        page[s] = assets
    tot = [sum(med(s, a, "-", "gzip_bytes") or 0 for a in page[s]) if page[s] else None for s in systems]
    tot_local = [sum(med(s, a, "-", "local_gzip9_bytes") or 0 for a in page[s]) if page[s] else None for s in systems]
    served_all = all((med(s, a, "-", "gzip_served") or 0) == 1 for s in systems for a in page[s])
    add(f"| search page CSS + JS, gzip bytes as served | " + " | ".join(fmt(t) for t in tot) +
        f" | ≤ {PAGE_TARGET:,} | {'yes' if tot and all(t is not None and t <= PAGE_TARGET for t in tot) else '**no**'} |")
    add(f"| (same, `gzip -9` locally) | " + " | ".join(fmt(t) for t in tot_local) + " | | |")
    ol = [med(s, "search_open_loop", "-", "lat_p99_ms") for s in systems]
    add(f"| open-loop API search p99 ms at 50% of the closed-loop max, made afresh | " + " | ".join(ms(v) for v in ol) + " | (reported) | |")
    add("")

    # closed loop tables
    for s in systems:
        add(f"## Closed loop — {label[s]}")
        add("")
        add("| endpoint | c | 2xx req/s | ÷ constant | p50 ms | p90 ms | p99 ms | p99.9 ms | responses per run | non-2xx per run | "
            "bytes/resp | server CPU µs/req | server CPU share / run-queue wait | busy after the run, s | 2xx req/s of each run |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|")
        for ep, desc in ENDPOINTS:
            for c in conc:
                rps = med(s, ep, c, "ok_rps")
                if rps is None:
                    continue
                base = med(s, "constant_gzip" if ep.endswith("_gzip") else "constant", c, "ok_rps")
                ratio = rps / base if base and not ep.startswith("constant") else None
                each = runs.get((s, ep, str(c), "ok_rps"), {})
                add(f"| {desc} | {c} | {fmt(rps)} | {pct(ratio) if ratio is not None else '–'} | {ms(med(s, ep, c, 'p50_ms'))} | "
                    f"{ms(med(s, ep, c, 'p90_ms'))} | {ms(med(s, ep, c, 'p99_ms'))} | {ms(med(s, ep, c, 'p999_ms'))} | "
                    f"{fmt(med(s, ep, c, 'requests'))} | {bad_desc(s, ep, c)} | "
                    f"{fmt(med(s, ep, c, 'bytes_per_response'))} | {fmt(med(s, ep, c, 'server_cpu_us_per_req'))} | "
                    f"{pct(med(s, ep, c, 'server_cpu_share'))} / {pct(med(s, ep, c, 'server_runqueue_wait_share'))} | "
                    f"{fmt(med(s, ep, c, 'drain_s'))} | {', '.join(fmt(v) for _, v in sorted(each.items()))} |")
        ratios = []
        for run in sorted(runs.get((s, "search", max_c, "ok_rps"), {})):
            b = runs.get((s, "constant", max_c, "ok_rps"), {}).get(run)
            x = runs[(s, "search", max_c, "ok_rps")][run]
            if b:
                ratios.append(x / b)
        if ratios:
            add("")
            add(f"API search ÷ constant at c={max_c}, per run (same run, adjacent in time): "
                f"{', '.join(pct(r) for r in ratios)}; median {pct(statistics.median(ratios))}.")
        add("")

    # open loop
    add("## Open loop — API search made afresh, at 50% of its closed-loop maximum")
    add("")
    add("| dataset | closed-loop max req/s | target req/s | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | "
        "service p99 ms | send lag p99 ms | generator CPU | non-2xx / timeouts | p99 of each run |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in systems:
        g = lambda m: med(s, "search_open_loop", "-", m)  # noqa: E731
        if g("target_rate") is None:
            continue
        each = runs.get((s, "search_open_loop", "-", "lat_p99_ms"), {})
        bad = (g("non_2xx_3xx") or 0, (g("timeouts") or 0) + (g("lost_with_connection") or 0))
        cpu = g("generator_cpu_share")
        add(f"| {label[s]} | {fmt(num(one(s, 'search_open_loop', 'rate_basis') or ''))} | {fmt(g('target_rate'))} | "
            f"{fmt(g('achieved_rate'))} | {ms(g('lat_p50_ms'))} | {ms(g('lat_p90_ms'))} | {ms(g('lat_p99_ms'))} | "
            f"{ms(g('lat_p999_ms'))} | {ms(g('lat_max_ms'))} | {ms(g('service_p99_ms'))} | {ms(g('send_lag_p99_ms'))} | "
            f"{pct(cpu) if cpu is not None else '–'} | {int(bad[0])} / {int(bad[1])} | "
            f"{', '.join(ms(v) for _, v in sorted(each.items()))} |")
    add("")
    add("Latency counts from the moment each request was due; *service* counts from when it was written "
        "(the server alone); *send lag* is how late the generator wrote requests that had an idle connection "
        "(the generator's own delay, which the first column includes).")
    add("")

    # payloads
    add("## Map payloads — `/api/v1/clusters` (1280×800 px viewports)")
    add("")
    add("| dataset | view | bbox (W;S;E;N) | clusters | facilities in view | identity bytes | gzip bytes on the wire | gzip -9 locally |")
    add("|---|---|---|---:|---:|---:|---:|---:|")
    for s in systems:
        for z, where in ((5, "Japan"), (7, None), (10, None), (13, None)):
            ep = f"clusters_z{z}_view"
            if med(s, ep, "-", "identity_bytes") is None:
                continue
            if where is None:
                where = "東京駅" if s.endswith("national") else ("中国・四国" if z == 7 else "高松")
            add(f"| {label[s]} | zoom {z}, {where} | {one(s, ep, 'bbox')} | {fmt(med(s, ep, '-', 'clusters'))} | "
                f"{fmt(med(s, ep, '-', 'facilities_in_view'))} | {fmt(med(s, ep, '-', 'identity_bytes'))} | "
                f"{fmt(med(s, ep, '-', 'gzip_bytes'))} | {fmt(med(s, ep, '-', 'local_gzip9_bytes'))} |")
    add("")

    # page weight
    add("## Page weight — the search page `/?q=歯科`")
    add("")
    add("| dataset | file | identity bytes | as served with Accept-Encoding: gzip | Content-Encoding gzip | gzip -9 locally |")
    add("|---|---|---:|---:|---|---:|")
    for s in systems:
        for a in ["page:html"] + page[s]:
            add(f"| {label[s]} | `{a[5:] if a != 'page:html' else '/?q=歯科 (HTML)'}` | {fmt(med(s, a, '-', 'identity_bytes'))} | "
                f"{fmt(med(s, a, '-', 'gzip_bytes'))} | {'yes' if med(s, a, '-', 'gzip_served') == 1 else '**no**'} | "
                f"{fmt(med(s, a, '-', 'local_gzip9_bytes'))} |")
        if page[s]:
            idt = sum(med(s, a, "-", "identity_bytes") or 0 for a in page[s])
            add(f"| {label[s]} | **CSS + JS total** | {fmt(idt)} | **{fmt(sum(med(s, a, '-', 'gzip_bytes') or 0 for a in page[s]))}** | "
                f"{'all' if served_all else 'not all'} | {fmt(sum(med(s, a, '-', 'local_gzip9_bytes') or 0 for a in page[s]))} |")
    add("")

    # probes
    probes = [(s, k) for s in systems for k in sorted({k[1] for k in order if k[0] == s and k[1].startswith("probe:")})]
    if probes:
        add("## Single requests outside the load matrix")
        add("")
        add("| dataset | GET | status | bytes | seconds |")
        add("|---|---|---:|---:|---:|")
        for s, k in probes:
            add(f"| {label[s]} | `{k[6:]}` | {one(s, k, 'status')} | {fmt(med(s, k, '-', 'identity_bytes'))} | {med(s, k, '-', 'time_s') or 0:.3f} |")
        for s in systems:
            for k, what in (("clusters_z5_view", "national map view"), ("page:html", "search page `/?q=歯科`")):
                t = med(s, k, "-", "time_s")
                if t is not None:
                    add(f"| {label[s]} | {what} | {one(s, k, 'status')} | {fmt(med(s, k, '-', 'identity_bytes'))} | {t:.3f} |")
        add("")

    # memory
    add("## Server memory")
    add("")
    add("| dataset | RSS MB at start | after the closed loop | at end | peak RSS MB |")
    add("|---|---:|---:|---:|---:|")
    for s in systems:
        add(f"| {label[s]} | {fmt(med(s, 'server', '-', 'rss_mb_start'))} | {fmt(med(s, 'server', '-', 'rss_mb_after_closed_loop'))} | "
            f"{fmt(med(s, 'server', '-', 'rss_mb_end'))} | {fmt(med(s, 'server', '-', 'peak_rss_mb_end'))} |")
    add("")

    # problems
    problems = [p.strip() for p in open(problems_path, encoding="utf-8") if p.strip()] if os.path.exists(problems_path) else []
    names = dict(ENDPOINTS)
    for s in systems:
        for ep, desc in ENDPOINTS:
            for c in conc:
                if med(s, ep, c, "ok_rps") is None:
                    continue
                b = bad_desc(s, ep, c)
                if b != "0":
                    problems.append(f"{label[s]}, {desc}, c={c}: per run (median) {b} (of {fmt(med(s, ep, c, 'requests'))} responses).")
                d = med(s, ep, c, "drain_s")
                if d is not None and d > SLOW_DRAIN_S:
                    problems.append(f"{label[s]}, {desc}, c={c}: after wrk stopped, the server stayed busy for {fmt(d)} s (median) "
                                    "finishing requests whose clients had gone — abandoned requests are not cancelled.")
        for k in sorted({k[1] for k in order if k[0] == s and k[1].startswith("probe:")}):
            t = med(s, k, "-", "time_s")
            if t is not None and t > 1:
                problems.append(f"{label[s]}: a single GET `{k[6:]}` took {t:.1f} s (status {one(s, k, 'status')}).")
        for k in ("clusters_z5_view", "page:html"):
            t = med(s, k, "-", "time_s")
            if t is not None and t > 1:
                problems.append(f"{label[s]}: a single GET of {'the national map view' if k.startswith('clusters') else 'the search page /?q=歯科'} took {t:.1f} s.")
    del names
    add("## Problems the script noticed")
    add("")
    if problems:
        for p in dict.fromkeys(problems):
            add(f"- {p}")
    else:
        add("- none: every URL answered 200 before the load, wrk counted no socket errors and no non-2xx/3xx "
            "responses, the open loop had no errors or timeouts, the server never exited, was idle soon after each run, "
            "and every static file was gzipped.")
    add("")
    add(f"Raw numbers: `{os.path.basename(out_csv)}` (one row per dataset, endpoint, concurrency, metric; medians over runs "
        "plus `@runN` rows), produced by `scripts/bench-http.sh`.")
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
