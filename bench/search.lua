-- search.lua: wrk script for bench/load.sh: the contact centre's search.
--
--   wrk ... -s bench/search.lua URL -- QUERIES_FILE
--
-- Each request is GET /api/v1/people?q=QUERY with QUERY drawn uniformly
-- from the file's lines (URL-encoded already: one query a line, e.g.
-- "Okafor+1987-03-02" or "Jon+Smiht"). Prints the same BENCH line as
-- people.lua.

local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
end

function init(args)
   local path = args[1]
   if not path then
      error("search.lua: give a file of queries, e.g. -- bench/.data/queries.txt")
   end
   queries = {}
   for line in io.lines(path) do
      if #line > 0 then
         queries[#queries + 1] = line
      end
   end
   if #queries == 0 then
      error("search.lua: no queries in " .. path)
   end
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   return wrk.format("GET", "/api/v1/people?q=" .. queries[math.random(1, #queries)])
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
