"""Shared pieces of the search benchmark (scripts/bench-search.sh).

- the exported facility rows (TSV written by export.py) and how to read them;
- the one text normalisation every system gets (NFKC + lower case), and the
  "haystack" each system indexes: name | reading | category and service
  labels | 診療科目 | address, joined by " | " so no match spans two fields;
- exact great-circle distance (the same sphere radius as tsunagi and PostGIS);
- the per-query result format every system writes:
  {"i", "class", "micros", "total", "ids"} (one JSON object per line).

Python 3.11 standard library (+ numpy where noted).
"""
import csv
import json
import math
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EARTH_R = 6_371_008.8  # metres; tsunagi's GeoPoint::distance_m and PostGIS' sphere
SEP = " | "

csv.field_size_limit(sys.maxsize)

COLUMNS = ["id", "name", "kana", "categories", "services", "departments", "address",
           "municipality", "lat", "lng", "visible", "hay", "extra", "reading"]


def norm(s: str) -> str:
    """The normalisation shared by queries and haystacks: NFKC, lower case."""
    return unicodedata.normalize("NFKC", s or "").lower()


_SMALL = str.maketrans("ァィゥェォッャュョヮヴヶヵ", "アイウエオツヤユヨワブケケ")


def to_katakana(s):
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in s)


def loose_reading(s):
    """tsunagi's loose folding of readings: katakana, no spaces or long vowels, small kana big."""
    s = to_katakana(norm(s))
    return "".join(c for c in s if not c.isspace() and c not in "ー・-,.、。").translate(_SMALL)


def mecab(lines, fmt):
    """MeCab (IPADIC, as tsunagi's lindera) over many lines at once: -Oyomi or -Owakati."""
    import subprocess
    text = "".join(x.replace("\n", " ") + "\n" for x in lines)
    out = subprocess.run(["mecab", f"-O{fmt}"], input=text, capture_output=True, text=True, check=True).stdout
    res = out.split("\n")
    return res[:len(lines)]


def haversine_m(lat1, lng1, lat2, lng2):
    la1, la2 = math.radians(lat1), math.radians(lat2)
    dla, dlo = la2 - la1, math.radians(lng2 - lng1)
    a = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(a))


def _labels(path: Path, pattern: str):
    """{id: (name, [aliases])} from the category/service tables of the domain crate."""
    out = {}
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(pattern, text):
        aliases = re.findall(r'"([^"]*)"', m.group("aliases"))
        out[m.group("id")] = (m.group("name"), aliases)
    return out


def category_labels():
    return _labels(ROOT / "crates/domain/src/category.rs",
                   r'\w+ => "(?P<id>[a-z_]+)", \w+, "(?P<name>[^"]+)", "[^"]*", \[(?P<aliases>[^\]]*)\];')


def service_labels():
    return _labels(ROOT / "crates/domain/src/service.rs",
                   r'\w+ => "(?P<id>[a-z_]+)", \[[^\]]*\], "(?P<name>[^"]+)", \[(?P<aliases>[^\]]*)\]')


def read_rows(path):
    """The exported rows: dicts with lists split and numbers parsed."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(r)
        assert header == COLUMNS, header
        for v in r:
            d = dict(zip(COLUMNS, v))
            d["id"] = int(d["id"])
            d["categories"] = [x for x in d["categories"].split(",") if x]
            d["services"] = [x for x in d["services"].split(",") if x]
            d["lat"] = float(d["lat"]) if d["lat"] else None
            d["lng"] = float(d["lng"]) if d["lng"] else None
            d["visible"] = d["visible"] == "1"
            rows.append(d)
    return rows


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for x in items:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")


def parse_point(s):
    lat, lng = (float(x) for x in s.split(","))
    return lat, lng


def parse_bbox(s):
    w, s_, e, n = (float(x) for x in s.split(","))
    return w, s_, e, n


def quantile(sorted_values, q):
    """Nearest-rank on the sorted list, as `tsunagi bench queries` does."""
    if not sorted_values:
        return float("nan")
    return sorted_values[round((len(sorted_values) - 1) * q)]
