-- wrk script for benchmarks/pages.py: each request asks one URL drawn at random from the file
-- named by WRK_URLS (one path per line); at the end, one line "JSON {...}" with the summary.
local paths = {}

init = function(args)
  for line in io.lines(os.getenv("WRK_URLS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

-- THINK_MS (optional): each connection waits a random time of that mean (exponential) before its next
-- request, like a person reading the page; 0 or unset: no wait (a stress test).
local think = tonumber(os.getenv("THINK_MS") or "0") or 0
if think > 0 then
  delay = function()
    return math.floor(-think * math.log(1 - math.random()))
  end
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'JSON {"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, '
    .. '"error_kinds": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
