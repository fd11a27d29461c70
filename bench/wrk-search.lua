-- wrk script for benchmark 4 (docs/performance.md): the FHIR searches of bench/consent-search.sh
-- driven by a load generator that costs little CPU (the JDK driver, bench/SearchBench.java, took
-- 8-14 ms of CPU per request on the same 2 cores as the gateway). HTTP/1.1 with keep-alive: one
-- connection per concurrent request (wrk -c), as separate FHIR clients would.
--
-- Run with one wrk thread (-t 1), which is plenty at these rates: the script stops wrk after
-- PB_REQUESTS answers (wrk itself only knows durations; -d is the upper bound). The run's duration
-- and rate include up to 50 ms of stopping; the latencies do not.
--
-- Environment (never the command line, which `ps` shows): PB_TOKEN (a bearer token), PB_QUERY
-- (the path, with {patient} standing for a seeded patient's identifier value), PB_PATIENTS (the
-- seeded patients, SEED-0 ... SEED-(P-1), one drawn at random per request), PB_REQUESTS (answers
-- to wait for), PB_LABEL (the RESULT line's label), PB_CONCURRENCY (wrk's -c, for the report).
--
-- Every answer must be 200 with a FHIR resource; search answers without entries are counted, so a
-- query that silently matches nothing does not pass for a fast one. done() prints a RESULT line in
-- the format of bench/SearchBench.java's, plus what went wrong.

local token = os.getenv("PB_TOKEN")
local query = os.getenv("PB_QUERY")
local patients = tonumber(os.getenv("PB_PATIENTS") or "")
local quota = tonumber(os.getenv("PB_REQUESTS") or "")
local label = os.getenv("PB_LABEL")
local concurrency = tonumber(os.getenv("PB_CONCURRENCY") or "")
assert(token and query and patients and quota and label and concurrency,
  "PB_TOKEN, PB_QUERY, PB_PATIENTS, PB_REQUESTS, PB_LABEL and PB_CONCURRENCY must be set")

local search = query:find("?", 1, true) ~= nil
local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/fhir+json" }
-- globals, so that done() reaches them through thread:get
answers = 0
failed = 0
empty = 0
first_failure = ""
local threads = {}
local stopped = false

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  assert(wrk.thread, "this wrk has no wrk.thread (4.1 or later needed)")
  math.randomseed(os.time())
end

function request()
  local path = query:gsub("{patient}", "SEED-" .. math.random(0, patients - 1))
  return wrk.format("GET", path, headers)
end

function response(status, _, body)
  answers = answers + 1
  if status ~= 200 or not body:find('"resourceType"', 1, true) then
    failed = failed + 1
    if first_failure == "" then
      first_failure = tostring(status)
    end
  elseif search and not body:find('"entry"', 1, true) then
    empty = empty + 1
  end
  if answers >= quota and not stopped then
    stopped = true
    wrk.thread:stop()
    -- wrk's main thread sleeps for -d; a SIGINT it receives ends that sleep, and wrk reports. The
    -- signal may land on this thread instead (it only sets wrk's stop flag then), so it is sent
    -- again until wrk has exited.
    local stat = assert(io.open("/proc/self/stat")):read("*l")
    os.execute("(while kill -INT " .. stat:match("^(%d+)") .. " 2>/dev/null; do sleep 0.05; done) &")
  end
end

function done(summary, latency, _)
  local t = threads[1]
  local e = summary.errors
  -- Socket errors and timeouts never reach response(): they count as failures too.
  local failures = t:get("failed") + e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "%s: %d requests at concurrency %d in %.1f s (%.0f/s); p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d without entries, %d failed%s\n",
    label, summary.requests, concurrency, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, t:get("empty"), failures,
    t:get("failed") > 0 and (" (first answered " .. t:get("first_failure") .. ")") or ""))
  io.write(string.format("RESULT label=%s concurrency=%d p50=%.2f p99=%.2f empty=%d failed=%d requests=%d\n",
    label, concurrency, latency:percentile(50) / 1000, latency:percentile(99) / 1000, t:get("empty"),
    failures, summary.requests))
end
