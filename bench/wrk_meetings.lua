-- wrk script of the meeting-log benchmark (bench/run.py writes its data file).
--
-- wrk -s bench/wrk_meetings.lua <base url> -- <data file> <wrk threads>
--
-- The data file returns { prefix, bodies, tokens, meetings = { {id, version, cell}, ... } }.
-- Each wrk thread takes its own slice of the meetings (every n-th) and walks it round after
-- round: PUT <prefix><id>/record with the cell's JSON body, its secretary's token and
-- If-Match: the meeting's version, which the ETag of each reply moves on (the request id, which
-- the app echoes, tells response() which meeting a reply is for and which version it sent; wrk
-- also calls request() once on thread 1 without sending it, so counting rounds would be off by
-- one there). A thread's slice (256 meetings at -t2, half of the 1,024) is much longer than its
-- connections (32 at -c64), and a meeting whose previous log has not been answered yet (a reply
-- slower than a whole round, ~1 s) is passed over until it is: no two requests race on one
-- meeting, so a 412 here means a lost or reordered write.
-- done() prints the numbers as one JSON line, with the count of each non-2xx status and the
-- first few failures.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local data = dofile(args[1])
  local nthreads = tonumber(args[2])
  prefix, bodies, tokens = data.prefix, data.bodies, data.tokens
  mine, versions = {}, {}
  for i, m in ipairs(data.meetings) do
    if (i - 1) % nthreads == id then
      table.insert(mine, m)
      versions[#mine] = m[2]
    end
  end
  sent = 0
  inflight = {}
  statuses = {}
  samples = {}
end

function request()
  local k
  for _ = 1, #mine do
    k = sent % #mine + 1
    sent = sent + 1
    if not inflight[k] then
      break
    end
  end
  inflight[k] = true
  local m = mine[k]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[m[3]],
    ["If-Match"] = '"' .. versions[k] .. '"',
    ["X-Request-Id"] = "bench-" .. id .. "-" .. k .. "-" .. versions[k],
  }
  return wrk.format("PUT", prefix .. m[1] .. "/record", headers, bodies[m[3]])
end

function response(status, headers, body)
  local rid = headers["x-request-id"] or headers["X-Request-Id"] or ""
  local ks, vs = string.match(rid, "-(%d+)-(%d+)$")
  local k, sent_version = tonumber(ks or ""), vs or "?"
  if k then
    inflight[k] = nil
  end
  if status < 300 then
    local etag = headers["etag"] or headers["ETag"] or ""
    local version = tonumber(string.match(etag, "(%d+)") or "")
    if k and version then
      versions[k] = version
    end
    return
  end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local current = tonumber(string.match(body or "", '"currentVersion":%s*(%d+)') or "")
  if #samples < 3 then  -- the first few failures, for the report
    local what = status .. " " .. rid
    if k then
      what = what .. " meeting " .. mine[k][1] .. " sent " .. sent_version
    end
    table.insert(samples, what .. " stored " .. (current or "?"))
  end
  if k and current then
    versions[k] = current  -- one failure, not one per round after it
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    table.insert(parts, string.format('"%s":%d', status, count))
  end
  local examples = {}
  for _, thread in ipairs(threads) do
    for _, sample in ipairs(thread:get("samples") or {}) do
      table.insert(examples, string.format("%q", sample))
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"statuses":{%s},' ..
    '"samples":[%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ","),
    table.concat(examples, ",")))
end
