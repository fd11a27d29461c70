-- wrk script for benchmark 6 (docs/performance.md): the accept latency of POST /api/v1/photos
-- measured by a load generator that is not ours. Each request uploads one of the benchmark's JPEGs
-- with a comment segment that makes its bytes unique (the gateway answers a repeated upload with
-- 200 without cleaning it, which would flatter the figures); the comment is stripped by cleaning.
--
-- Environment (never the command line, which `ps` shows): PB_TOKEN (a bearer token),
-- PB_IMAGES (a file listing JPEG paths, one per line), PB_RUN (the run's patient suffix, whose
-- consent the caller recorded), PB_PASS (this wrk invocation within the run, e.g. c8: the runs at
-- concurrency 1, 8 and 32 share PB_RUN, and without it the second run's first thread repeated the
-- first run's uploads byte for byte, which the gateway answered 200 as duplicates).
--
-- wrk shares the gateway's 2 cores, so what it spends building a request is taken from the gateway
-- being measured. A request is a Lua string of about 4 MB. Built afresh for every request (one
-- concatenation of the request line, headers, a small unique head and the image), it cost wrk 17 ms
-- of CPU per upload (2026-12-03) and 21.7 with 5.7 MB photos (2026-12-04), nearly all of it LuaJIT
-- mapping a fresh block for the new string and the kernel faulting its pages in (perf: memmove 47 %,
-- page faults 35 %), against 1.1 ms for a request string reused as it is. So each thread builds one
-- request per image, once, in init, with fixed-width digit fields where the requests differ (the
-- encounter's number and the comment's counter), and request() writes the next values into those
-- fields in place through LuaJIT's FFI before handing the same string to wrk, which copies it into
-- its own buffer as soon as request() returns, before it calls request() again. Lua strings are
-- immutable to Lua code and interned by a hash: no other string with the bytes of one of these,
-- before or after a rewrite, is ever made, so a stale hash is never compared. Each thread has its
-- own Lua state, so no string is shared between threads.
-- (History: the first version took a substring, concatenated twice and let wrk.format concatenate
-- again, four 4 MB strings per request, about 72 ms of wrk's CPU per upload.)

local ffi = require("ffi")

local token = os.getenv("PB_TOKEN")
local run = os.getenv("PB_RUN")
local list = os.getenv("PB_IMAGES")
local pass = os.getenv("PB_PASS")
assert(token and run and list and pass, "PB_TOKEN, PB_RUN, PB_IMAGES and PB_PASS must be set")

local threads = {}
local requests = {}
local counter = 0
-- globals, so that wrk's thread:set/get reach them
thread_id = 0
non_202 = 0
statuses = {}
local boundary = "wrkbench" .. run
local ENCOUNTER_DIGITS, COUNTER_DIGITS = 7, 9

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

local function metadata(encounter)
  return '{"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"BENCH-' .. run .. '"}},'
    .. '"encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"BENCH-' .. run .. '-wrk-' .. encounter .. '"}},'
    .. '"department":"dermatology","accessTags":["dermatology"],'
    .. '"bodySite":{"system":"http://snomed.info/sct","code":"40983000"},"laterality":"L"}'
end

-- One request for this image, its digit fields zero; the offsets of the two fields in it.
local function template(jpeg)
  local encounterField = string.rep("0", ENCOUNTER_DIGITS)
  local counterField = string.rep("0", COUNTER_DIGITS)
  local note = "wrk " .. pass .. " " .. thread_id .. " " .. counterField
  local com = "\255\254" .. string.char(math.floor((#note + 2) / 256), (#note + 2) % 256) .. note
  local json = metadata(pass .. "-" .. thread_id .. "-" .. encounterField)
  local beforeJson = "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n'
  local head = beforeJson .. json .. "\r\n--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    .. "\255\216" .. com
  local tail = jpeg:sub(3) .. "\r\n--" .. boundary .. "--\r\n"
  -- What wrk.format would write, without its copy of the body.
  local start = "POST /api/v1/photos HTTP/1.1\r\nHost: " .. wrk.headers["Host"]
    .. "\r\nAuthorization: Bearer " .. token
    .. "\r\nContent-Type: multipart/form-data; boundary=" .. boundary
    .. "\r\nContent-Length: " .. (#head + #tail) .. "\r\n\r\n"
  local text = start .. head .. tail
  -- The encounter's field, found by its whole prefix: the patient's value (BENCH-<run>) may end in zeros too.
  local encounterPrefix = '-wrk-' .. pass .. "-" .. thread_id .. "-"
  local encounterAt = #start + #beforeJson + json:find(encounterPrefix .. encounterField .. '"', 1, true) - 1
    + #encounterPrefix
  local counterAt = #start + #head - COUNTER_DIGITS
  assert(text:sub(encounterAt + 1, encounterAt + ENCOUNTER_DIGITS) == encounterField
    and text:sub(counterAt + 1, counterAt + COUNTER_DIGITS) == counterField, "digit fields misplaced")
  return { text = text, bytes = ffi.cast("char *", ffi.cast("const char *", text)),
    encounterAt = encounterAt, counterAt = counterAt }
end

function init(args)
  for path in io.lines(list) do
    local f = assert(io.open(path, "rb"))
    local jpeg = f:read("*a")
    f:close()
    table.insert(requests, template(jpeg))
  end
  assert(#requests > 0, "no images listed in " .. list)
end

-- The next request: its image's string with this request's encounter and counter written in.
function request()
  counter = counter + 1
  local r = requests[(counter % #requests) + 1]
  ffi.copy(r.bytes + r.encounterAt, string.format("%0" .. ENCOUNTER_DIGITS .. "d", math.floor(counter / 10)), ENCOUNTER_DIGITS)
  ffi.copy(r.bytes + r.counterAt, string.format("%0" .. COUNTER_DIGITS .. "d", counter), COUNTER_DIGITS)
  return r.text
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 202 then
    non_202 = non_202 + 1
  end
end

function done(summary, latency, requests)
  local refused = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    refused = refused + (thread:get("non_202") or 0)
    for status, n in pairs(thread:get("statuses") or {}) do
      by_status[status] = (by_status[status] or 0) + n
    end
  end
  local answers = {}
  for status, n in pairs(by_status) do
    table.insert(answers, status .. ":" .. n)
  end
  table.sort(answers)
  io.write(string.format(
    "RESULT label=wrk requests=%d not202=%d answers=%s p50=%.1f p95=%.1f p99=%.1f max=%.1f\n",
    summary.requests, refused, table.concat(answers, ","), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
