#!/usr/bin/env python3
"""Exports the facilities of a tsunagi database to the TSV every peer loads,
so that all systems index identical rows with identical ids.

usage: export.py DATA_DIR/tsunagi.sqlite OUT.tsv

Columns (common.COLUMNS): id, name, kana, categories (ids, comma-separated),
services (ids), departments (「、」-joined), address (full), municipality,
lat, lng, visible (1 = public, what a resident's search returns), hay, extra,
reading (loosely folded 名称_カナ | MeCab reading of the name | of its last part
| of the municipality).

`hay` is the text every system searches: NFKC + lower case of
  name | kana | category labels | service labels | 診療科目 | address
(labels from crates/domain/src, the words tsunagi shows for each id).
`extra` is what tsunagi also indexes on purpose (corporation name, notes,
aliases, group names, synonyms of services and departments, building, town);
the correctness gate uses it only to tell tsunagi's extra matches that
follow its documented behaviour from false positives.
"""
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def synonyms():
    groups = []
    path = common.ROOT / "crates/search/src/synonyms.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            g = line.split()
            if len(g) > 1:
                groups.append(g)
    return groups


def main():
    db, out = sys.argv[1], sys.argv[2]
    cats = common.category_labels()
    svcs = common.service_labels()
    groups = {"hospital": "医療"}  # group names, as tsunagi's topics add them
    medical = {"hospital", "clinic", "dental", "pharmacy", "home_nursing", "midwife"}
    syn = synonyms()

    def expand(word):
        return [w for g in syn if word in g for w in g]

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cols = {r[1] for r in con.execute("pragma table_info(facilities)")}
    where = "where deleted_at is null" if "deleted_at" in cols else ""
    names = [r[0] for r in con.execute(f"select name from facilities {where} order by id")]
    # readings of the names as IPADIC gives them (tsunagi indexes lindera's readings)
    yomi = iter(common.mecab([common.norm(x) for x in names], "yomi"))
    yomi_last = iter(common.mecab([common.norm(x).split(" ")[-1] for x in names], "yomi"))
    # tsunagi also indexes the reading of the municipality's name with the
    # address (「いちかわ」 finds 市川市): MeCab's reading stands in for the
    # gazetteer's here.
    munis = [(json.loads(r[0]).get("address") or {}).get("municipality") or "-"
             for r in con.execute(f"select data from facilities {where} order by id")]
    yomi_muni = iter(common.mecab([common.norm(x) for x in munis], "yomi"))
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(common.COLUMNS) + "\n")
        for fid, data, lat, lng, vis in con.execute(
                f"select id, data, lat, lng, visibility from facilities {where} order by id"):
            d = json.loads(data)
            addr = d.get("address") or {}
            cat_ids = d.get("categories") or []
            svc_ids = [s.get("service") for s in d.get("services") or [] if s.get("service")]
            deps = d.get("departments") or []
            hay = common.SEP.join([
                d.get("name") or "", d.get("name_kana") or "",
                " ".join(cats[c][0] for c in cat_ids if c in cats),
                " ".join(svcs[s][0] for s in svc_ids if s in svcs),
                " ".join(deps), addr.get("full") or "",
            ])
            extra = [d.get("corporation_name"), d.get("name_en"), d.get("name_short"), d.get("notes"),
                     d.get("medical_kind"), addr.get("building"), addr.get("town"), addr.get("municipality")]
            sched = d.get("schedule") or {}
            extra += [sched.get("note"), sched.get("after_hours")]
            for c in cat_ids:
                if c in cats:
                    extra += [cats[c][0]] + cats[c][1] + expand(cats[c][0])
                    for a in cats[c][1]:
                        extra += expand(a)
                if c in medical:
                    extra.append(groups["hospital"])
            for s in svc_ids:
                if s in svcs:
                    extra += [svcs[s][0]] + svcs[s][1] + expand(svcs[s][0])
            for s in d.get("services") or []:
                extra.append(s.get("published_name"))
            for dep in deps:
                extra += expand(dep)
            extra_text = common.SEP.join(x for x in extra if x)
            clean = lambda s: (s or "").replace("\t", " ").replace("\n", " ").replace("\r", " ")  # noqa: E731
            f.write("\t".join([
                str(fid), clean(d.get("name")), clean(d.get("name_kana")), ",".join(cat_ids), ",".join(svc_ids),
                clean("、".join(deps)), clean(addr.get("full")), clean(addr.get("municipality")),
                "" if lat is None else repr(float(lat)), "" if lng is None else repr(float(lng)),
                "1" if (vis or "public") == "public" else "0",
                clean(common.norm(hay)), clean(common.norm(extra_text)),
                clean(common.loose_reading(d.get("name_kana") or "") + "|" + common.loose_reading(next(yomi))
                      + "|" + common.loose_reading(next(yomi_last)) + "|" + common.loose_reading(next(yomi_muni))),
            ]) + "\n")
            n += 1
    print(n)


if __name__ == "__main__":
    main()
