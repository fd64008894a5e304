-- wrk script of the meeting-log benchmark (bench/run.py writes its data file).
--
-- wrk -s bench/wrk_meetings.lua <base url> -- <data file> <wrk threads>
--
-- The data file returns { prefix, bodies, tokens, meetings = { {id, version, cell}, ... } }.
-- Each wrk thread takes its own slice of the meetings (every n-th) and walks it round after
-- round: PUT <prefix><id>/record with the cell's JSON body, its secretary's token and
-- If-Match: "<version + round>". A thread's slice (128 meetings at -t2, half of the 512) is much longer than its
-- connections (32 at -c64), so a meeting's previous log has long finished when it comes round
-- again and no two requests race on one meeting: a 412 here means a lost or reordered write.
-- done() prints the numbers as one JSON line, with the count of each non-2xx status.

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
  mine = {}
  for i, m in ipairs(data.meetings) do
    if (i - 1) % nthreads == id then
      table.insert(mine, m)
    end
  end
  sent = 0
  statuses = {}
  samples = {}
end

function request()
  local n = #mine
  local m = mine[sent % n + 1]
  local round = math.floor(sent / n)
  sent = sent + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[m[3]],
    ["If-Match"] = '"' .. (m[2] + round) .. '"',
    -- echoed back by the app: tells response() which request a reply answers
    ["X-Request-Id"] = "bench-" .. id .. "-" .. (sent - 1),
  }
  return wrk.format("PUT", prefix .. m[1] .. "/record", headers, bodies[m[3]])
end

function response(status, headers, body)
  if status > 299 then
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    -- the first few failures, for the report: which request, what it sent, what was stored
    if #samples < 3 then
      local rid = headers["x-request-id"] or headers["X-Request-Id"] or ""
      local k = tonumber(string.match(rid, "-(%d+)$") or "")
      local what = status .. " " .. rid
      if k then
        local n = #mine
        local m = mine[k % n + 1]
        what = what .. " meeting " .. m[1] .. " round " .. math.floor(k / n) .. " sent " ..
          (m[2] + math.floor(k / n)) .. " of " .. sent
      end
      local current = string.match(body or "", '"currentVersion":%s*(%d+)')
      table.insert(samples, what .. " stored " .. (current or "?"))
    end
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
