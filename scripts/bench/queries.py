#!/usr/bin/env python3
"""Seeded benchmark queries, derived from the exported rows themselves, in
the JSONL format of `tsunagi bench queries` (every peer reads the same file).
Needs numpy (brute-force distances).

usage: queries.py ROWS.tsv LOCALGOV.csv OUT.jsonl [--n 1000] [--seed 42] [--limit 10]

Classes (n queries each; terms repeat and are rotated, points never do):
  Q1-rare      a distinctive fragment (3–6 chars) of one facility's name, found in
               at most max(5, N/20000) haystacks
  Q1-medium    診療科目 / service words of medium frequency (整形外科, 往診, …)
  Q1-common    2-character words (歯科, 眼科, 内科, 薬局, 外科, 病院, 医院)
  Q1-place     a municipality name as in the data (designated cities: city or ward)
  Q2-kw-cat    Q1-medium/common/place word + one category id
  Q3-near      nearest 10 to a point: 90% within ~3 km of a real municipal
               office (30% of those with a category), 10% in empty areas (sea)
  Q4-r1km, Q4-r5km   within 1 km / 5 km of a point near a municipal office
  Q5-z16, Q5-z13, Q5-z10   a 1024×768 px viewport at that web-map zoom, centred
               near a municipal office
  Q6-kw-cat-near   word + category + near (ranked by match, then distance)
  Q6-kw-bbox   word + zoom-13 viewport
Q7 (map clusters) belongs to the web issue and is not generated.
"""
import argparse
import bisect
import csv
import json
import math
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

MEDIUM = ["整形外科", "小児科", "皮膚科", "耳鼻咽喉科", "循環器内科", "消化器内科", "脳神経外科",
          "産婦人科", "心療内科", "泌尿器科", "精神科", "リハビリテーション科", "往診", "訪問歯科", "調剤薬局", "駅前"]
COMMON = ["歯科", "眼科", "内科", "薬局", "外科", "病院", "医院"]
CATEGORIES = ["clinic", "dental", "hospital", "pharmacy"]
# Open sea around Japan; each point is checked to have no facility within 20 km.
SEA = [(33.0, 142.0), (39.5, 135.5), (30.5, 134.0), (41.0, 144.5), (36.0, 132.0), (34.0, 138.3),
       (37.5, 142.5), (28.0, 131.0), (42.5, 138.5), (32.0, 128.0)]
VIEW_W, VIEW_H = 1024, 768


def viewport(lat, lng, zoom):
    """W,S,E,N of a VIEW_W×VIEW_H px web-mercator viewport centred on lat,lng."""
    scale = 256 * 2 ** zoom
    x = (lng + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def unproject(px, py):
        lng_ = px / scale * 360 - 180
        lat_ = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))
        return lat_, lng_
    n, w = unproject(x - VIEW_W / 2, y - VIEW_H / 2)
    s, e = unproject(x + VIEW_W / 2, y + VIEW_H / 2)
    return f"{w:.6f},{s:.6f},{e:.6f},{n:.6f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows")
    ap.add_argument("localgov")
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--limit", type=int, default=10)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    rows = common.read_rows(a.rows)
    n_rows = len(rows)
    big = "\n".join(r["hay"] for r in rows)

    # Municipal offices weighted by how many facilities they have in the data,
    # so points fall where people search.
    offices = {}
    with open(a.localgov, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            try:
                offices[r["city"].replace(" ", "").replace("\u3000", "")] = (float(r["lat"]), float(r["lng"]))
            except (KeyError, ValueError):
                continue
    weight = {}
    for r in rows:
        if r["municipality"] in offices:
            weight[r["municipality"]] = weight.get(r["municipality"], 0) + 1
    names = sorted(weight)
    if not names:
        sys.exit("queries.py: no municipality of the data matches the localgov reference")
    cum = list(__import__("itertools").accumulate(weight[m] for m in names))

    def office():
        m = names[bisect.bisect_right(cum, rnd.random() * cum[-1])]
        return offices[m]

    def near_office(sd_km=2.0):
        lat, lng = office()
        dlat = rnd.gauss(0, sd_km) / 111.2
        dlng = rnd.gauss(0, sd_km) / (111.2 * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lng + dlng, 6)

    import numpy as np
    plat = np.radians(np.array([r["lat"] for r in rows if r["lat"] is not None]))
    plng = np.radians(np.array([r["lng"] for r in rows if r["lat"] is not None]))

    def min_dist_m(lat, lng):
        la, lo = math.radians(lat), math.radians(lng)
        h = np.sin((plat - la) / 2) ** 2 + np.cos(la) * np.cos(plat) * np.sin((plng - lo) / 2) ** 2
        return 2 * common.EARTH_R * float(np.arcsin(np.sqrt(h.min())))

    def empty_point():
        for _ in range(200):
            lat0, lng0 = rnd.choice(SEA)
            lat, lng = round(lat0 + rnd.uniform(-0.5, 0.5), 6), round(lng0 + rnd.uniform(-0.5, 0.5), 6)
            if min_dist_m(lat, lng) > 20_000:
                return lat, lng
        sys.exit("queries.py: no empty sea point found")

    places = []
    for r in rows:
        m = r["municipality"]
        if not m:
            continue
        d = re.match(r"^(.+?市)(.+区)$", m)
        places.append(d.group(rnd.choice([1, 2])) if d else m)

    rare_max = max(5, n_rows // 20000)

    def rare():
        for _ in range(500):
            name = rnd.choice(rows)["name"].split(" ")[-1]
            name = common.norm(name)
            if len(name) < 3:
                continue
            k = rnd.randint(3, min(6, len(name)))
            start = rnd.randint(0, len(name) - k)
            frag = name[start:start + k]
            if " " in frag or "|" in frag or frag[0] in "々ーッッャュョァィゥェォ・-":
                continue  # nobody starts typing a name there
            if 1 <= big.count(frag) <= rare_max:
                return frag
        sys.exit("queries.py: no rare fragment found")

    def word():
        kind = rnd.random()
        if kind < 0.4:
            return rnd.choice(MEDIUM)
        if kind < 0.7:
            return rnd.choice(COMMON)
        return rnd.choice(places)

    out = []

    def add(cls, **q):
        q = {"class": cls, **q, "limit": a.limit}
        out.append(q)

    n = a.n
    for _ in range(n):
        add("Q1-rare", q=rare())
    for i in range(n):
        add("Q1-medium", q=MEDIUM[i % len(MEDIUM)])
    for i in range(n):
        add("Q1-common", q=COMMON[i % len(COMMON)])
    for _ in range(n):
        add("Q1-place", q=rnd.choice(places))
    for _ in range(n):
        add("Q2-kw-cat", q=word(), category=[rnd.choice(CATEGORIES)])
    for i in range(n):
        if i % 10 == 9:
            lat, lng = empty_point()
        else:
            lat, lng = near_office()
        extra = {"category": [rnd.choice(CATEGORIES)]} if rnd.random() < 0.3 else {}
        add("Q3-near", near=f"{lat},{lng}", **extra)
    for cls, r in (("Q4-r1km", 1000), ("Q4-r5km", 5000)):
        for _ in range(n):
            lat, lng = near_office()
            add(cls, near=f"{lat},{lng}", radius_m=r)
    for z in (16, 13, 10):
        for _ in range(n):
            lat, lng = near_office(1.0 if z == 16 else 3.0)
            add(f"Q5-z{z}", bbox=viewport(lat, lng, z))
    for _ in range(n):
        lat, lng = near_office()
        add("Q6-kw-cat-near", q=word(), category=[rnd.choice(CATEGORIES)], near=f"{lat},{lng}")
    for _ in range(n):
        lat, lng = near_office(3.0)
        add("Q6-kw-bbox", q=word(), bbox=viewport(lat, lng, 13))
    common.write_jsonl(a.out, out)
    print(f"{len(out)} queries ({n} per class) from {n_rows} rows; rare = 1..{rare_max} matches", file=sys.stderr)


if __name__ == "__main__":
    main()
