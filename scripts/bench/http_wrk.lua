-- wrk script of the HTTP benchmark (scripts/bench-http.sh).
--   WRK_PATHS            file with one request path per line; requests go
--                        round-robin through it (one path = a fixed URL)
--   WRK_ACCEPT_ENCODING  optional Accept-Encoding header (e.g. gzip)
--   WRK_NO_CACHE         1: send Cache-Control: no-cache (answers made afresh,
--                        not taken from the server's kept answers)
--   WRK_COUNT_STATUS     1: also print "STATUS code=count …" at the end
-- Requests are formatted once in init, so rotating URLs costs the load
-- generator no more than a fixed one. done() prints one machine-readable
-- line, "RESULT key=value …", with wrk's own latency histogram.
local reqs = {}

local function load()
  local file = os.getenv("WRK_PATHS")
  assert(file and #file > 0, "set WRK_PATHS")
  local headers = {}
  local ae = os.getenv("WRK_ACCEPT_ENCODING")
  if ae and #ae > 0 then headers["Accept-Encoding"] = ae end
  if os.getenv("WRK_NO_CACHE") == "1" then headers["Cache-Control"] = "no-cache" end
  for line in io.lines(file) do
    if #line > 0 then reqs[#reqs + 1] = wrk.format("GET", line, headers) end
  end
  assert(#reqs > 0, "no paths in " .. file)
end

local i = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  load()
end

-- WRK_COUNT_STATUS=1: count responses by status code (a response() callback
-- costs the load generator a little per response, so the ceiling runs without)
if os.getenv("WRK_COUNT_STATUS") == "1" then
  status_counts = {}
  function response(status, headers, body)
    status_counts[status] = (status_counts[status] or 0) + 1
  end
end

function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d " ..
    "lat_mean_us=%.1f lat_p50_us=%d lat_p90_us=%d lat_p99_us=%d lat_p999_us=%d lat_max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
  local parts = {}
  for _, t in ipairs(threads) do
    local c = t:get("status_counts")
    if c then
      for status, n in pairs(c) do parts[#parts + 1] = string.format("%d=%d", status, n) end
    end
  end
  if #parts > 0 then
    table.sort(parts)
    io.write("STATUS " .. table.concat(parts, " ") .. "\n")
  end
end
