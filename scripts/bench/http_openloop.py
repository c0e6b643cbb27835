#!/usr/bin/env python3
"""Open-loop (constant arrival rate) HTTP/1.1 load generator, for the honest
p99 of scripts/bench-http.sh. Stands in for wrk2 (`wrk -R`), which the
Debian wrk 4.1 does not have.

usage: http_openloop.py HOST PORT PATHS_FILE --rate R [--duration 30] [--warmup 5]
                        [--connections 64] [--timeout 10] [--accept-encoding gzip]
                        [--header 'Cache-Control: no-cache' …]

How it works (the wrk2 model, without coordinated omission):
  - request k is DUE at t0 + k / R, whatever happened before (constant rate);
  - it is sent on an idle keep-alive connection of a fixed pool
    (`--connections`, opened before t0; one request in flight per connection,
    no pipelining); when every connection is busy it waits in a queue;
  - its latency is measured from its DUE time to the last byte of the
    response, so time spent queued behind a slow server (or a late
    generator) counts against the server, as a user would see it;
  - paths go round-robin through PATHS_FILE (one path per line);
  - the first `--warmup` seconds are sent at the same rate but not recorded;
    requests unanswered `--timeout` s after the last one was due count as
    timeouts and enter the percentiles as `--timeout`.
It also reports "service" percentiles, measured from the moment the request
was written (what the server alone took once it had the request). Besides the percentiles it reports the achieved rate, how late the
generator itself was in sending (send lag: due → written while a
connection was idle) and its own CPU use, so a generator that cannot keep up
is visible instead of silently lowering the load.
Output: one JSON object on stdout. Python 3.11 standard library only.
"""
import argparse
import asyncio
import json
import math
import time
from collections import Counter, deque

perf = time.perf_counter


class Conn(asyncio.Protocol):
    def __init__(self, gen):
        self.gen = gen
        self.buf = bytearray()
        self.transport = None
        self.due = None  # due time of the request in flight
        self.sent = None  # when it was written
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.closed = True
        self.gen.on_lost(self)

    def send(self, req, due):
        self.due = due
        self.sent = perf()
        self.transport.write(req)

    def data_received(self, data):
        self.buf += data
        while self.due is not None:
            r = parse_response(self.buf)
            if r is None:
                return
            status, end, close = r
            del self.buf[:end]
            due, self.due = self.due, None
            self.gen.on_response(self, due, self.sent, status, end)
            if close:
                self.transport.close()
                return


def parse_response(buf):
    """(status, length of the whole response, connection: close) or None when incomplete."""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return None
    lines = bytes(buf[:i]).decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    clen, chunked, close = 0, False, False
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k, v = k.strip().lower(), v.strip().lower()
        if k == "content-length":
            clen = int(v)
        elif k == "transfer-encoding" and "chunked" in v:
            chunked = True
        elif k == "connection" and v == "close":
            close = True
    pos = i + 4
    if not chunked:
        return (status, pos + clen, close) if len(buf) >= pos + clen else None
    while True:
        j = buf.find(b"\r\n", pos)
        if j < 0:
            return None
        size = int(bytes(buf[pos:j]).split(b";")[0], 16)
        pos = j + 2
        if size == 0:
            k = buf.find(b"\r\n\r\n", pos - 2)  # no trailers expected: "0\r\n\r\n"
            return (status, k + 4, close) if k >= 0 else None
        pos += size + 2
        if len(buf) < pos:
            return None


class Gen:
    def __init__(self, a, reqs):
        self.a = a
        self.reqs = reqs
        self.next_req = 0
        self.idle = deque()
        self.queue = deque()  # due times waiting for a connection
        self.conns = []
        self.record_from = math.inf
        self.lat = []
        self.service = []  # from the write, not the due time (the server alone)
        self.lags = []
        self.status = Counter()
        self.outstanding = 0
        self.lost = 0
        self.max_queue = 0
        self.done = None

    def req(self):
        r = self.reqs[self.next_req]
        self.next_req = (self.next_req + 1) % len(self.reqs)
        return r

    def dispatch(self, due):
        self.outstanding += 1
        if self.idle:
            c = self.idle.popleft()
            if due >= self.record_from:
                self.lags.append(perf() - due)
            c.send(self.req(), due)
        else:
            self.queue.append(due)
            self.max_queue = max(self.max_queue, len(self.queue))

    def on_response(self, c, due, sent, status, nbytes):
        now = perf()
        self.outstanding -= 1
        if due >= self.record_from:
            self.lat.append(now - due)
            self.service.append(now - sent)
            self.status[status] += 1
        if self.queue:
            c.send(self.req(), self.queue.popleft())
        else:
            self.idle.append(c)
        if self.outstanding == 0 and self.done is not None and not self.done.done():
            self.done.set_result(None)

    def on_lost(self, c):
        if c in self.idle:
            self.idle.remove(c)
        if c.due is not None:  # a request died with its connection
            self.outstanding -= 1
            self.lost += 1
            c.due = None
        if not self.closing:
            asyncio.get_running_loop().create_task(self.reconnect())

    closing = False

    async def reconnect(self):
        loop = asyncio.get_running_loop()
        try:
            _, c = await loop.create_connection(lambda: Conn(self), self.a.host, self.a.port)
        except OSError:
            return
        self.conns.append(c)
        if self.queue:
            c.send(self.req(), self.queue.popleft())
        else:
            self.idle.append(c)


async def run(a):
    paths = [p for p in open(a.paths).read().splitlines() if p]
    extra = f"Accept-Encoding: {a.accept_encoding}\r\n" if a.accept_encoding else ""
    extra += "".join(f"{h}\r\n" for h in a.header)
    reqs = [f"GET {p} HTTP/1.1\r\nHost: {a.host}:{a.port}\r\n{extra}\r\n".encode() for p in paths]
    g = Gen(a, reqs)
    loop = asyncio.get_running_loop()
    for _ in range(a.connections):
        _, c = await loop.create_connection(lambda: Conn(g), a.host, a.port)
        g.conns.append(c)
        g.idle.append(c)
    rate = a.rate
    n_warm = int(round(a.warmup * rate))
    n_total = n_warm + int(round(a.duration * rate))
    cpu0 = time.process_time()
    t0 = perf() + 0.05
    g.record_from = t0 + n_warm / rate - 1e-9
    k = 0
    while k < n_total:
        now = perf()
        due_n = min(n_total, int((now - t0) * rate) + 1) if now >= t0 else 0
        while k < due_n:
            g.dispatch(t0 + k / rate)
            k += 1
        if k >= n_total:
            break
        delay = t0 + k / rate - perf()
        await asyncio.sleep(delay if delay > 0 else 0)
    t_last_due = t0 + (n_total - 1) / rate
    send_end = perf()
    g.done = loop.create_future()
    if g.outstanding > 0:
        try:
            await asyncio.wait_for(g.done, timeout=max(0.0, t_last_due + a.timeout - perf()))
        except asyncio.TimeoutError:
            pass
    timeouts = g.outstanding
    wall_cpu = time.process_time() - cpu0
    g.closing = True
    for c in g.conns:
        if c.transport is not None:
            c.transport.close()
    lat = sorted(g.lat) + [a.timeout] * (timeouts + g.lost)
    lags = sorted(g.lags)
    service = sorted(g.service)

    def pct(v, p):
        if not v:
            return None
        return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))]

    measured = n_total - n_warm
    span = measured / rate
    ok = sum(n for s, n in g.status.items() if 200 <= s < 400)
    out = {
        "target_rate": rate,
        "duration_s": a.duration,
        "warmup_s": a.warmup,
        "connections": a.connections,
        "scheduled": measured,
        "completed": len(g.lat),
        "ok_2xx_3xx": ok,
        "non_2xx_3xx": len(g.lat) - ok,
        "timeouts": timeouts,
        "lost_with_connection": g.lost,
        "achieved_rate": len(g.lat) / span if span else 0,
        "status": {str(k): v for k, v in sorted(g.status.items())},
        "lat_p50_us": pct(lat, 50) * 1e6 if lat else None,
        "lat_p90_us": pct(lat, 90) * 1e6 if lat else None,
        "lat_p99_us": pct(lat, 99) * 1e6 if lat else None,
        "lat_p999_us": pct(lat, 99.9) * 1e6 if lat else None,
        "lat_max_us": lat[-1] * 1e6 if lat else None,
        "service_p50_us": pct(service, 50) * 1e6 if service else None,
        "service_p99_us": pct(service, 99) * 1e6 if service else None,
        "send_lag_p50_us": pct(lags, 50) * 1e6 if lags else None,
        "send_lag_p99_us": pct(lags, 99) * 1e6 if lags else None,
        "max_queue": g.max_queue,
        "send_phase_overrun_s": send_end - t_last_due,
        "generator_cpu_share": wall_cpu / (perf() - t0),
    }
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("paths")
    ap.add_argument("--rate", type=float, required=True, help="requests per second")
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--accept-encoding", default="")
    ap.add_argument("--header", action="append", default=[], help="extra request header, 'Name: value'")
    a = ap.parse_args()
    if a.rate <= 0:
        ap.error("--rate must be positive")
    asyncio.run(run(a))


if __name__ == "__main__":
    main()
