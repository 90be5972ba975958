-- people.lua: wrk script for bench/run.sh.
--
--   wrk ... -s bench/people.lua URL -- N [PREFIX]
--
-- Each request is GET PREFIX..id with id drawn uniformly from 1..N (PREFIX
-- defaults to /api/v1/people/). The same script drives nginx, so both
-- servers see identical requests and wrk does identical work per response.
--
-- There is deliberately no response() callback: wrk would then hand every
-- response to Lua, which on a 2-core machine costs the client ~15% of
-- nginx's requests per second and so flatters the ratio. wrk itself counts
-- every answer with a status above 399 (summary.errors.status), and run.sh
-- fails the run if there is any; it also checks a sample of ids for 200.
--
-- Prints one machine-readable line for run.sh:
--   BENCH requests=.. seconds=.. rps=.. p50_us=.. p99_us=.. status_err=.. sockerr=..

local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
end

function init(args)
   n = tonumber(args[1])
   if not n or n < 1 then
      error("people.lua: give the number of people, e.g. -- 290000")
   end
   prefix = args[2] or "/api/v1/people/"
   -- Different ids in each thread and each run.
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   return wrk.format("GET", prefix .. math.random(1, n))
end

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d status_err=%d sockerr=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
