#!/usr/bin/env python3
"""The peers of the search benchmark: load the exported rows, run the query
file, write the same per-query JSONL as `tsunagi bench queries`.

usage: peers.py SYSTEM load ROWS.tsv [options]        -> prints {"load_s", "index_s", "rows"}
       peers.py SYSTEM run QUERIES.jsonl --out OUT.jsonl [--warmup 100] [--gate]
       peers.py SYSTEM floor --out OUT.json            -> client round-trip floor

SYSTEM and how it is reached (the idiomatic way a user of each would write it):
  sqlite    in-process (python3 sqlite3 module, SQLite 3.40): FTS5 trigram table
            (contentless, rowid = id) ranked by bm25; R*Tree loaded in Z order;
            nearest = growing box on the R*Tree, exact haversine in SQL;
            filters on a MATERIALIZED CTE of the FTS5 matches.   --db FILE
  postgres  psycopg2 over the loopback, PREPAREd statements, PostgreSQL 15:
            pg_trgm GIN on the haystack (LIKE '%q%', ranked by the first match's
            position: name before address),
            PostGIS geometry(Point,4326) GiST for boxes (ST_Intersects) and geography GiST for
            distances (KNN <->, ST_DWithin on the sphere).   --dsn DSN
  groonga   HTTP /d/select over a kept-alive loopback connection (Groonga 13):
            TokenBigram + NormalizerNFKC130 index with positions (phrase query),
            WGS84GeoPoint index, geo_in_circle / geo_in_rectangle (sphere), sort
            by a geo_distance dynamic column, nearest = growing geo_in_circle, cache=no.   --url http://127.0.0.1:PORT

Timed: from sending a query to holding its ids in Python, so each peer's
time includes its client (`floor` measures that overhead alone).
--gate: the correctness run: every distinct query once with the query's own
limit (500 in the gate file), plus its total count (an extra COUNT query where
the system has no cheaper way); not timed.
"""
import argparse
import http.client
import json
import math
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

R = common.EARTH_R


def cats_of(q):
    return list(q.get("category") or [])


def kind(q):
    """text / near / radius / bbox parts of a query, as one shape name."""
    parts = []
    if q.get("q"):
        parts.append("text")
    if q.get("category"):
        parts.append("cat")
    if q.get("near") and q.get("radius_m"):
        parts.append("radius")
    elif q.get("near"):
        parts.append("near")
    if q.get("bbox"):
        parts.append("bbox")
    return "+".join(parts)


# ---------------------------------------------------------------- SQLite

class Sqlite:
    def __init__(self, a):
        import sqlite3
        self.sqlite3 = sqlite3
        self.path = a.db
        self.con = None

    def load(self, rows):
        con = self.sqlite3.connect(self.path)
        con.execute("pragma journal_mode=off")
        con.execute("pragma synchronous=off")
        t0 = time.perf_counter()
        con.execute("create table fac(id integer primary key, kana text, lat real, lng real)")
        con.execute("create table fac_cat(cat text, id integer, primary key (cat, id)) without rowid")
        con.execute("create virtual table fts using fts5(hay, content='', tokenize='trigram')")
        con.execute("create virtual table geo using rtree(id, min_lat, max_lat, min_lng, max_lng)")
        vis = [r for r in rows if r["visible"]]
        con.executemany("insert into fac values (?,?,?,?)",
                        ((r["id"], common.norm(r["kana"] or r["name"]), r["lat"], r["lng"]) for r in vis))
        con.executemany("insert into fac_cat values (?,?)", ((c, r["id"]) for r in vis for c in r["categories"]))
        con.commit()
        t1 = time.perf_counter()
        con.executemany("insert into fts(rowid, hay) values (?,?)", ((r["id"], r["hay"]) for r in vis))

        def z(r):  # Morton order of a 2^16 grid: neighbours load together
            x = int((r["lng"] - 120) / 35 * 65535) & 0xFFFF
            y = int((r["lat"] - 20) / 30 * 65535) & 0xFFFF
            k = 0
            for b in range(16):
                k |= ((x >> b) & 1) << (2 * b) | ((y >> b) & 1) << (2 * b + 1)
            return k
        located = sorted((r for r in vis if r["lat"] is not None), key=z)
        con.executemany("insert into geo values (?,?,?,?,?)",
                        ((r["id"], r["lat"], r["lat"], r["lng"], r["lng"]) for r in located))
        con.execute("insert into fts(fts) values ('optimize')")
        con.commit()
        t2 = time.perf_counter()
        con.execute("analyze")
        con.commit()
        con.close()
        return {"load_s": t1 - t0, "index_s": t2 - t1, "rows": len(vis)}

    def connect(self):
        self.con = self.sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.con.execute("pragma cache_size=-262144")

    @staticmethod
    def dist_sql(lat, lng):
        # exact haversine on tsunagi's sphere, as SQL (math functions of 3.35+)
        return (f"(2*{R}*asin(min(1,sqrt(pow(sin((radians(f.lat)-{math.radians(lat)!r})/2),2)"
                f"+{math.cos(math.radians(lat))!r}*cos(radians(f.lat))"
                f"*pow(sin((radians(f.lng)-{math.radians(lng)!r})/2),2)))))")

    @staticmethod
    def match(text):
        return " ".join('"' + p.replace('"', '""') + '"' for p in common.norm(text).split())

    def box_filter(self, w, s, e, n, col="f.id"):
        # The R*Tree keeps 32-bit floats (rounded outwards): it is the coarse
        # filter, the exact box is checked on the real coordinates.
        m = 1e-4
        return (f"{col} in (select g.id from geo g join fac x on x.id = g.id where g.min_lat>={s - m!r} "
                f"and g.max_lat<={n + m!r} and g.min_lng>={w - m!r} and g.max_lng<={e + m!r} "
                f"and x.lat between {s!r} and {n!r} and x.lng between {w!r} and {e!r})")

    def query(self, q, gate):
        lim = int(q.get("limit", 10))
        cats = cats_of(q)
        where, args = [], []
        if cats:
            where.append(f"f.id in (select id from fac_cat where cat in ({','.join('?' * len(cats))}))")
            args += cats
        if q.get("bbox"):
            where.append(self.box_filter(*common.parse_bbox(q["bbox"])))
        text = q.get("q")
        cur = self.con.cursor()
        if text:
            m = self.match(text)
            if q.get("near"):
                lat, lng = common.parse_point(q["near"])
                sql = (f"select f.id from fac f where f.id in (select rowid from fts where fts match ?) "
                       f"{''.join(' and ' + w for w in where)} order by {self.dist_sql(lat, lng)}, f.id limit ?")
                ids = [r[0] for r in cur.execute(sql, [m] + args + [lim])]
            else:
                # ranked by bm25; the FTS5 matches are materialised first and then
                # filtered (FTS5 answers `rowid IN (…)` by one lookup per row: 50× slower)
                filt = "".join(" and " + w.replace("f.id in", "f.id in", 1) for w in where)
                sql = (f"with f as materialized (select rowid as id, rank as r from fts where fts match ?) "
                       f"select f.id from f where true{filt} order by f.r limit ?")
                ids = [r[0] for r in cur.execute(sql, [m] + args + [lim])]
            total = None
            if gate:
                filt = "".join(" and " + w for w in where)
                total = cur.execute(f"select count(*) from fac f where f.id in (select rowid from fts where fts match ?)"
                                    f"{filt}", [m] + args).fetchone()[0]
            return ids, total
        if q.get("near"):
            lat, lng = common.parse_point(q["near"])
            d = self.dist_sql(lat, lng)
            if q.get("radius_m"):
                r = float(q["radius_m"])
                w, s, e, n = self.around(lat, lng, r)
                sql = (f"select f.id from fac f where {self.box_filter(w, s, e, n)} "
                       f"{''.join(' and ' + x for x in where)} and {d} <= ? order by {d}, f.id limit ?")
                ids = [x[0] for x in cur.execute(sql, args + [r, lim])]
                total = None
                if gate:
                    total = cur.execute(f"select count(*) from fac f where {self.box_filter(w, s, e, n)} "
                                        f"{''.join(' and ' + x for x in where)} and {d} <= ?", args + [r]).fetchone()[0]
                return ids, total
            # nearest: grow a box until it holds `lim` points no farther than its inscribed radius
            r = 500.0
            while True:
                w, s, e, n = self.around(lat, lng, r)
                sql = (f"select f.id, {d} as dist from fac f where {self.box_filter(w, s, e, n)} "
                       f"{''.join(' and ' + x for x in where)} order by dist, f.id limit ?")
                got = cur.execute(sql, args + [lim]).fetchall()
                if (len(got) >= lim and got[-1][1] <= r) or r > 4e6:
                    if r > 4e6:  # whole table
                        sql = (f"select f.id, {d} as dist from fac f where f.lat is not null "
                               f"{''.join(' and ' + x for x in where)} order by dist, f.id limit ?")
                        got = cur.execute(sql, args + [lim]).fetchall()
                    return [x[0] for x in got], None
                r *= 4
        # bbox only: in reading order, like tsunagi without text or point
        sql = (f"select f.id from fac f where {' and '.join(where)} order by f.kana, f.id limit ?")
        ids = [x[0] for x in cur.execute(sql, args + [lim])]
        total = cur.execute(f"select count(*) from fac f where {' and '.join(where)}", args).fetchone()[0] if gate else None
        return ids, total

    @staticmethod
    def around(lat, lng, r):
        dlat = math.degrees(r / R) * 1.0001
        dlng = math.degrees(r / (R * max(1e-6, math.cos(math.radians(min(89.0, abs(lat) + dlat))))))
        return lng - dlng, lat - dlat, lng + dlng, lat + dlat

    def floor(self):
        self.con.execute("select 1").fetchone()


# ---------------------------------------------------------------- PostgreSQL

class Postgres:
    def __init__(self, a):
        import psycopg2
        self.pg = psycopg2
        self.dsn = a.dsn
        self.con = None
        self.prepared = set()

    def load(self, rows):
        con = self.pg.connect(self.dsn)
        con.autocommit = True
        cur = con.cursor()
        cur.execute("create extension if not exists postgis; create extension if not exists pg_trgm")
        t0 = time.perf_counter()
        cur.execute("create unlogged table fac(id integer primary key, hay text not null, kana text not null, "
                    "cats text[] not null, geom geometry(Point,4326), geog geography(Point,4326))")
        import io
        buf = io.StringIO()
        for r in rows:
            if not r["visible"]:
                continue
            pt = f"SRID=4326;POINT({r['lng']!r} {r['lat']!r})" if r["lat"] is not None else "\\N"
            esc = lambda s: s.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")  # noqa: E731
            cats = "{" + ",".join(r["categories"]) + "}"
            buf.write(f"{r['id']}\t{esc(r['hay'])}\t{esc(common.norm(r['kana'] or r['name']))}\t{cats}\t{pt}\t{pt}\n")
        buf.seek(0)
        cur.copy_expert("copy fac(id, hay, kana, cats, geom, geog) from stdin", buf)
        t1 = time.perf_counter()
        cur.execute("create index fac_hay on fac using gin (hay gin_trgm_ops)")
        cur.execute("create index fac_cats on fac using gin (cats)")
        cur.execute("create index fac_geom on fac using gist (geom)")
        cur.execute("create index fac_geog on fac using gist (geog)")
        cur.execute("create index fac_kana on fac (kana, id)")
        t2 = time.perf_counter()
        cur.execute("vacuum analyze fac")
        n = len([r for r in rows if r["visible"]])
        cur.execute("select pg_total_relation_size('fac')")
        size = cur.fetchone()[0]
        con.close()
        return {"load_s": t1 - t0, "index_s": t2 - t1, "rows": n, "size_bytes": size}

    def connect(self):
        self.con = self.pg.connect(self.dsn)
        self.con.autocommit = True
        cur = self.con.cursor()
        cur.execute("set max_parallel_workers_per_gather = 0; set jit = off")

    def run_prepared(self, name, sql, args):
        cur = self.con.cursor()
        if name not in self.prepared:
            cur.execute(f"prepare {name} as {sql}")
            self.prepared.add(name)
        cur.execute(f"execute {name}({','.join(['%s'] * len(args))})" if args else f"execute {name}", args)
        return cur.fetchall()

    def query(self, q, gate):
        lim = int(q.get("limit", 10))
        where, args, shape = [], [], []
        n = 0

        def arg(v, cast=""):
            nonlocal n
            n += 1
            args.append(v)
            return f"${n}{cast}"
        text = q.get("q")
        if text:
            for p in common.norm(text).split():
                like = "%" + p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                where.append(f"hay like {arg(like)}")
                shape.append("t")
        if q.get("category"):
            where.append(f"cats && {arg(cats_of(q), '::text[]')}")
            shape.append("c")
        pt = None
        if q.get("near"):
            lat, lng = common.parse_point(q["near"])
            pt = f"st_setsrid(st_makepoint({arg(lng, '::float8')}, {arg(lat, '::float8')}), 4326)::geography"
            shape.append("n")
            if q.get("radius_m"):
                where.append(f"st_dwithin(geog, {pt}, {arg(float(q['radius_m']), '::float8')}, false)")
                shape.append("r")
        if q.get("bbox"):
            w, s, e, nn = common.parse_bbox(q["bbox"])
            # st_intersects, not a bare &&: the GiST boxes are float4, rounded outwards
            where.append(f"st_intersects(geom, st_makeenvelope({arg(w, '::float8')}, {arg(s, '::float8')}, "
                         f"{arg(e, '::float8')}, {arg(nn, '::float8')}, 4326))")
            shape.append("b")
        cond = " and ".join(where) if where else "true"
        if pt is not None:
            # no tie-breaker after <->: `ORDER BY geog <-> pt, id` turns the
            # KNN index scan into a full sort (0.7 ms -> 190 ms at 30k rows)
            order = f"geog <-> {pt}"
        elif text:
            # where the text occurs first: the haystack starts with the name, so
            # name matches come first (pg_trgm's similarity() costs ~45 µs a row:
            # 0.4 s for 歯科 at 30k rows, hours at 500k)
            order = f"strpos(hay, {arg(common.norm(text).split()[0])}), id"
            shape.append("s")
        else:
            order = "kana, id"
        key = "".join(shape)
        lim_arg = arg(lim, "::int")
        rows = self.run_prepared(f"q_{key}", f"select id from fac where {cond} order by {order} limit {lim_arg}", args)
        ids = [r[0] for r in rows]
        total = None
        if gate:
            # the count uses the same conditions and parameters (the limit and the ranking text are unused)
            used, cnt = [], cond
            for i in range(1, len(args) + 1):
                if f"${i}" in cond:
                    used.append(args[i - 1])
            for i in range(len(args), 0, -1):
                cnt = cnt.replace(f"${i}", "%s")
            c = self.con.cursor()
            c.execute(f"select count(*) from fac where {cnt}", used)
            total = c.fetchone()[0]
        return ids, total

    def floor(self):
        self.run_prepared("floor", "select 1", [])


# ---------------------------------------------------------------- Groonga

class Groonga:
    def __init__(self, a):
        self.url = urllib.parse.urlparse(a.url)
        self.conn = None

    def connect(self):
        self.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=600)

    def call(self, command, params):
        path = f"/d/{command}?" + urllib.parse.urlencode(params)
        self.conn.request("GET", path)
        resp = self.conn.getresponse()
        body = resp.read()
        out = json.loads(body)
        if out[0][0] != 0:
            raise RuntimeError(f"groonga {command} {params}: {out[0]}")
        return out[1]

    @staticmethod
    def point(lat, lng):
        return f"{lat!r},{lng!r}"

    @staticmethod
    def quote(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def query(self, q, gate):
        lim = int(q.get("limit", 10))
        p = {"table": "Fac", "output_columns": "_key", "limit": str(lim), "cache": "no"}
        filters = []
        text = q.get("q")
        if text:
            p["match_columns"] = "hay"
            p["query"] = " ".join(self.quote(x) for x in common.norm(text).split())
        if q.get("category"):
            filters.append("(" + " || ".join(f"cats @ {self.quote(c)}" for c in cats_of(q)) + ")")
        sort = None
        grow = None
        if q.get("near"):
            lat, lng = common.parse_point(q["near"])
            center = self.quote(self.point(lat, lng))
            if q.get("radius_m"):
                filters.append(f"geo_in_circle(loc, {center}, {float(q['radius_m'])!r}, \"sphere\")")
            elif not text:
                grow = center  # nearest: a growing geo_in_circle until it holds `lim`
            # sorting by distance needs a dynamic column (sort_keys takes no functions)
            p["columns[d].stage"] = "filtered"
            p["columns[d].type"] = "Float"
            p["columns[d].value"] = f"geo_distance(loc, {center}, \"sphere\")"
            sort = "d,_key"
        if q.get("bbox"):
            w, s, e, n = common.parse_bbox(q["bbox"])
            filters.append(f"geo_in_rectangle(loc, {self.quote(self.point(n, w))}, {self.quote(self.point(s, e))})")
        if sort is None:
            sort = "-_score,_key" if text else "kana,_key"
        p["sort_keys"] = sort
        r = 500.0
        while True:
            fs = filters + ([f"geo_in_circle(loc, {grow}, {r!r}, \"sphere\")"] if grow else [])
            if fs:
                p["filter"] = " && ".join(fs)
            res = self.call("select", p)
            if not grow or res[0][0][0] >= lim or r > 4e6:
                break
            r *= 4
        if grow and res[0][0][0] < lim:  # fewer than `lim` within 4,000 km: the whole table
            p["filter"] = " && ".join(filters) if filters else "true"
            res = self.call("select", p)
        block = res[0]
        total = block[0][0]
        ids = [row[0] for row in block[2:]]
        return ids, total

    def floor(self):
        self.call("status", {})


SYSTEMS = {"sqlite": Sqlite, "postgres": Postgres, "groonga": Groonga}


def groonga_load_file(rows, path):
    """A Groonga command file: schema, rows, then the index columns."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("table_create Cats TABLE_HASH_KEY ShortText\n")
        f.write("table_create Fac TABLE_HASH_KEY UInt32\n")
        f.write("column_create Fac hay COLUMN_SCALAR Text\n")
        f.write("column_create Fac kana COLUMN_SCALAR ShortText\n")
        f.write("column_create Fac cats COLUMN_VECTOR Cats\n")
        f.write("column_create Fac loc COLUMN_SCALAR WGS84GeoPoint\n")
        f.write("load --table Fac\n[\n")
        first = True
        for r in rows:
            if not r["visible"]:
                continue
            d = {"_key": r["id"], "hay": r["hay"], "kana": common.norm(r["kana"] or r["name"]), "cats": r["categories"]}
            if r["lat"] is not None:
                d["loc"] = f"{r['lat']!r},{r['lng']!r}"
            f.write(("" if first else ",\n") + json.dumps(d, ensure_ascii=False))
            first = False
        f.write("\n]\n")
    with open(str(path) + ".index", "w", encoding="utf-8") as f:
        f.write("table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram "
                "--normalizer NormalizerNFKC130\n")
        f.write("column_create Terms hay_index COLUMN_INDEX|WITH_POSITION Fac hay\n")
        f.write("table_create Locs TABLE_PAT_KEY WGS84GeoPoint\n")
        f.write("column_create Locs loc_index COLUMN_INDEX Fac loc\n")
        f.write("column_create Cats cats_index COLUMN_INDEX Fac cats\n")
        f.write("table_create Kanas TABLE_PAT_KEY ShortText\n")
        f.write("column_create Kanas kana_index COLUMN_INDEX Fac kana\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("system", choices=sorted(SYSTEMS) + ["groonga-file"])
    ap.add_argument("action", choices=["load", "run", "floor"])
    ap.add_argument("file", nargs="?")
    ap.add_argument("--db")
    ap.add_argument("--dsn")
    ap.add_argument("--url")
    ap.add_argument("--out")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--gate", action="store_true")
    a = ap.parse_args()
    if a.system == "groonga-file":  # writes the command files; groonga itself loads them
        groonga_load_file(common.read_rows(a.file), a.out)
        return
    sysobj = SYSTEMS[a.system](a)
    if a.action == "load":
        print(json.dumps(sysobj.load(common.read_rows(a.file))))
        return
    sysobj.connect()
    if a.action == "floor":
        for _ in range(200):
            sysobj.floor()
        t = []
        for _ in range(2000):
            t0 = time.perf_counter()
            sysobj.floor()
            t.append((time.perf_counter() - t0) * 1e6)
        t.sort()
        out = {"n": len(t), "p50_us": common.quantile(t, 0.5), "p99_us": common.quantile(t, 0.99),
               "p999_us": common.quantile(t, 0.999)}
        Path(a.out).write_text(json.dumps(out))
        print(json.dumps(out))
        return
    queries = common.read_jsonl(a.file)
    with open(a.out, "w", encoding="utf-8") as out:
        if a.gate:
            cache = {}
            for i, q in enumerate(queries):
                key = json.dumps({k: v for k, v in q.items() if k != "class"}, sort_keys=True, ensure_ascii=False)
                if key not in cache:
                    try:
                        ids, total = sysobj.query(q, True)
                        cache[key] = {"ids": ids, "total": total if total is not None else len(ids)}
                    except Exception as e:  # a wrong answer, not a crash of the benchmark
                        print(f"{a.system}: query {i} failed: {e}", file=sys.stderr)
                        cache[key] = {"ids": [], "total": 0, "error": str(e)[:200]}
                        sysobj.connect()
                out.write(json.dumps({"i": i, "class": q["class"], **cache[key]}) + "\n")
            return
        for q in queries[: min(a.warmup, len(queries))] if a.warmup else []:
            sysobj.query(q, False)
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            ids, _ = sysobj.query(q, False)
            micros = (time.perf_counter() - t0) * 1e6
            out.write(json.dumps({"i": i, "class": q["class"], "micros": micros, "total": None, "ids": ids}) + "\n")


if __name__ == "__main__":
    main()
