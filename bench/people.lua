-- people.lua: wrk script for bench/run.sh.
--
--   wrk ... -s bench/people.lua URL -- N [PREFIX]
--
-- Each request is GET PREFIX..id with id drawn uniformly from 1..N (PREFIX
-- defaults to /api/v1/people/). The same script drives nginx, so both
-- servers see identical requests and wrk does identical work per response.
-- Counts 2xx and non-2xx answers across all threads and prints one
-- machine-readable line for run.sh:
--   BENCH requests=.. seconds=.. rps=.. p50_us=.. p99_us=.. ok=.. non2xx=.. sockerr=..

local threads = {}
local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
   table.insert(threads, thread)
end

function init(args)
   n = tonumber(args[1])
   if not n or n < 1 then
      error("people.lua: give the number of people, e.g. -- 290000")
   end
   prefix = args[2] or "/api/v1/people/"
   -- Different ids in each thread and each run.
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   ok = 0
   non2xx = 0
end

function request()
   return wrk.format("GET", prefix .. math.random(1, n))
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local good, bad = 0, 0
   for _, t in ipairs(threads) do
      good = good + (t:get("ok") or 0)
      bad = bad + (t:get("non2xx") or 0)
   end
   local e = summary.errors
   local sockerr = e.connect + e.read + e.write + e.timeout
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d ok=%d non2xx=%d sockerr=%d status_err=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(99),
      good, bad, sockerr, e.status))
end
