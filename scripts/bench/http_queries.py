#!/usr/bin/env python3
"""URL lists for the HTTP benchmark (scripts/bench-http.sh), taken from the
data a running `tsunagi serve` holds, and a check that every URL answers.

usage:
  http_queries.py build BASE_URL OUTDIR [--seed 42] [--n 400] [--viewports 100]
      writes OUTDIR/search.paths   /api/v1/facilities?q=…&per_page=20 (rotating)
             OUTDIR/search.tsv     class <TAB> path of each
             OUTDIR/z13.paths      /api/v1/clusters?zoom=13&bbox=… (1280×800 px
                                   viewports centred on sampled facilities)
  http_queries.py check BASE_URL FILE.paths OUT.json
      GETs every path once: status counts, zero-hit count, median total_items
  http_queries.py bbox LNG LAT ZOOM [--width 1280 --height 800]
      prints west,south,east,north of a viewport (Web Mercator, 256 px tiles)

Search URLs, seeded, shuffled, in these classes:
  keyword        the fixed terms (訪問看護, 歯科, 内科, 薬局, デイサービス and a few more)
  municipality   a municipality name from a sampled facility's address (so weighted by facilities)
  name           a fragment of a facility name sampled from the data (生活 words removed)
  near           keyword or name fragment + &near=lat,lng of a sampled facility
  category       keyword or municipality + &category=<id>
Python 3.11 standard library only.
"""
import argparse
import json
import math
import random
import re
import statistics
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

KEYWORDS_REQUIRED = ["訪問看護", "歯科", "内科", "薬局", "デイサービス"]
KEYWORDS_MORE = ["眼科", "小児科", "整形外科", "皮膚科", "耳鼻咽喉科", "居宅介護支援", "訪問介護",
                 "グループホーム", "ショートステイ", "地域包括支援センター", "リハビリ", "病院"]
CATEGORY_FOR = {  # keyword → a category that makes sense with it
    "訪問看護": "home_nursing", "歯科": "dental", "内科": "clinic", "薬局": "pharmacy",
    "デイサービス": "day_care", "眼科": "clinic", "小児科": "clinic", "整形外科": "hospital",
    "居宅介護支援": "care_management", "訪問介護": "home_care", "グループホーム": "residence",
    "ショートステイ": "short_stay", "リハビリ": "day_care", "病院": "hospital",
}
CATEGORIES = ["hospital", "clinic", "dental", "pharmacy", "home_nursing", "care_management", "home_care",
              "day_care", "short_stay", "nursing_home", "residence", "community_support"]
GENERIC = ["医療法人社団", "医療法人財団", "医療法人", "社会福祉法人", "社会医療法人", "一般社団法人", "公益社団法人",
           "特定非営利活動法人", "NPO法人", "株式会社", "有限会社", "合同会社", "(株)", "（株）", "(有)", "（有）",
           "訪問看護ステーション", "ステーション", "居宅介護支援事業所", "デイサービスセンター", "デイサービス",
           "クリニック", "歯科医院", "歯科", "医院", "診療所", "病院", "薬局", "センター", "事業所", "ホーム"]


def get_json(url, timeout=600):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def q(s):
    return urllib.parse.quote(s, safe=",")


def fragment(name):
    """「小谷歯科医院」→「小谷」; None when nothing distinctive is left."""
    s = name
    for g in GENERIC:
        s = s.replace(g, " ")
    for tok in re.split(r"[\s・･、。()（）「」『』\-－ー〜~/／.,]+", s):
        if len(tok) >= 2:
            return tok[:4]
    return None


MUNICIPALITY = re.compile(r"^(?:東京都|北海道|京都府|大阪府|.{2,3}?県)(?:.+?郡)?(.+?[市区町村])(?!市)")


def municipality_of(address):
    """「香川県高松市常磐町…」→「高松市」, 「北海道札幌市中央区…」→「札幌市」."""
    m = MUNICIPALITY.match(address or "")
    return m.group(1) if m else None


def bbox(lng, lat, zoom, width=1280, height=800):
    """The lon/lat box a width×height px map shows at zoom (256 px tiles)."""
    world = 256 * 2 ** zoom
    x = (lng + 180) / 360 * world
    siny = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * world

    def unproject(px, py):
        lon = px / world * 360 - 180
        n = math.pi - 2 * math.pi * py / world
        return lon, math.degrees(math.atan(math.sinh(n)))

    w, n = unproject(x - width / 2, y - height / 2)
    e, s = unproject(x + width / 2, y + height / 2)
    return w, s, e, n


def fmt_bbox(b):
    return ",".join(f"{v:.4f}" for v in b)


def sample_facilities(base, rng, pages=10, per_page=200):
    first = get_json(f"{base}/api/v1/facilities?per_page={per_page}")
    total_pages = max(1, first["total_pages"])
    picks = sorted(set(rng.randrange(1, total_pages + 1) for _ in range(pages)))
    items = []
    for p in picks:
        items += get_json(f"{base}/api/v1/facilities?per_page={per_page}&page={p}")["items"]
    return items


def build(a):
    rng = random.Random(a.seed)
    base = a.base.rstrip("/")
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    facilities = sample_facilities(base, rng)
    located = [f for f in facilities if f.get("lat") is not None and f.get("lng") is not None]
    names = [fr for fr in (fragment(f.get("display_name") or f["name"]) for f in facilities) if fr]
    # municipality names from the sampled addresses, so as often as they hold facilities
    # (not from /api/v1/areas, which takes minutes on the national data)
    areas = [m for m in (municipality_of(f.get("address")) for f in facilities) if m]
    if not (located and names and areas):
        sys.exit(f"http_queries: too little data at {base} (facilities {len(facilities)}, municipalities {len(areas)})")
    keywords = KEYWORDS_REQUIRED + KEYWORDS_MORE

    def municipality():
        return rng.choice(areas)

    def near_of(f):
        return f"{f['lat']:.5f},{f['lng']:.5f}"

    rows = []
    # every required keyword at least twice, on its own
    for k in KEYWORDS_REQUIRED:
        rows += [("keyword", f"q={q(k)}")] * 2
    classes = ["keyword"] * 30 + ["municipality"] * 15 + ["name"] * 25 + ["near"] * 18 + ["category"] * 12
    while len(rows) < a.n:
        c = rng.choice(classes)
        if c == "keyword":
            # the required terms carry half the weight
            k = rng.choice(KEYWORDS_REQUIRED) if rng.random() < 0.5 else rng.choice(keywords)
            rows.append((c, f"q={q(k)}"))
        elif c == "municipality":
            rows.append((c, f"q={q(municipality())}"))
        elif c == "name":
            rows.append((c, f"q={q(rng.choice(names))}"))
        elif c == "near":
            term = rng.choice(keywords) if rng.random() < 0.6 else rng.choice(names)
            rows.append((c, f"q={q(term)}&near={near_of(rng.choice(located))}"))
        else:
            if rng.random() < 0.6:
                k = rng.choice([k for k in keywords if k in CATEGORY_FOR])
                rows.append((c, f"q={q(k)}&category={CATEGORY_FOR[k]}"))
            else:
                rows.append((c, f"q={q(municipality())}&category={rng.choice(CATEGORIES)}"))
    rng.shuffle(rows)
    paths = [(c, f"/api/v1/facilities?{p}&per_page=20") for c, p in rows]
    (out / "search.paths").write_text("".join(p + "\n" for _, p in paths))
    (out / "search.tsv").write_text("".join(f"{c}\t{p}\n" for c, p in paths))

    views = []
    for _ in range(a.viewports):
        f = rng.choice(located)
        views.append(f"/api/v1/clusters?zoom=13&bbox={fmt_bbox(bbox(f['lng'], f['lat'], 13))}")
    (out / "z13.paths").write_text("".join(v + "\n" for v in views))
    json.dump({"sampled_facilities": len(facilities), "name_fragments": len(set(names)),
               "municipalities": len(set(areas)), "search_urls": len(paths),
               "classes": dict(Counter(c for c, _ in paths)), "z13_viewports": len(views)},
              open(out / "build.json", "w"), ensure_ascii=False, indent=1)


def check(a):
    base = a.base.rstrip("/")
    paths = [p for p in Path(a.paths).read_text().splitlines() if p]
    status = Counter()
    totals, zero, bad = [], 0, []
    for p in dict.fromkeys(paths):  # each distinct URL once
        try:
            with urllib.request.urlopen(base + p, timeout=600) as r:
                code, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read()
        except Exception as e:  # noqa: BLE001 — reported, not raised
            code, body = f"error:{type(e).__name__}", str(e).encode()
        status[str(code)] += 1
        if code != 200:
            bad.append({"path": urllib.parse.unquote(p), "status": code, "body": body[:300].decode("utf-8", "replace")})
            continue
        if not p.startswith("/api/"):
            continue
        try:
            j = json.loads(body)
        except ValueError:
            continue
        t = j.get("total_items", j.get("total"))
        if t is not None:
            totals.append(t)
            zero += t == 0
    res = {"urls": len(paths), "distinct": sum(status.values()), "status": dict(status), "non_200": len(bad),
           "zero_hits": zero, "median_total": statistics.median(totals) if totals else None,
           "max_total": max(totals) if totals else None, "bad": bad[:20]}
    json.dump(res, open(a.out, "w"), ensure_ascii=False, indent=1)
    print(json.dumps({k: v for k, v in res.items() if k != "bad"}, ensure_ascii=False))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("base")
    b.add_argument("outdir")
    b.add_argument("--seed", type=int, default=42)
    b.add_argument("--n", type=int, default=400)
    b.add_argument("--viewports", type=int, default=100)
    c = sub.add_parser("check")
    c.add_argument("base")
    c.add_argument("paths")
    c.add_argument("out")
    x = sub.add_parser("bbox")
    x.add_argument("lng", type=float)
    x.add_argument("lat", type=float)
    x.add_argument("zoom", type=int)
    x.add_argument("--width", type=int, default=1280)
    x.add_argument("--height", type=int, default=800)
    a = ap.parse_args()
    if a.cmd == "build":
        build(a)
    elif a.cmd == "check":
        check(a)
    else:
        print(fmt_bbox(bbox(a.lng, a.lat, a.zoom, a.width, a.height)))


if __name__ == "__main__":
    main()
