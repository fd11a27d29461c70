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
-- being measured. Each request is one new string of about 4 MB, built by a single concatenation: the
-- raw request line and headers, the small unique head of the body, and a tail prepared once per
-- image (the JPEG after its SOI marker and the closing boundary). The first version took a substring,
-- concatenated twice and let wrk.format concatenate again: four 4 MB strings per request, each
-- mapped afresh by LuaJIT's allocator, about 72 ms of wrk's CPU per upload against 17 ms now
-- (measured against a server that only reads the body: 1 ms per upload with a fixed body).

local token = os.getenv("PB_TOKEN")
local run = os.getenv("PB_RUN")
local list = os.getenv("PB_IMAGES")
local pass = os.getenv("PB_PASS")
assert(token and run and list and pass, "PB_TOKEN, PB_RUN, PB_IMAGES and PB_PASS must be set")

local threads = {}
local tails = {}
local counter = 0
-- globals, so that wrk's thread:set/get reach them
thread_id = 0
non_202 = 0
statuses = {}
local boundary = "wrkbench" .. run

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for path in io.lines(list) do
    local f = assert(io.open(path, "rb"))
    local jpeg = f:read("*a")
    f:close()
    table.insert(tails, jpeg:sub(3) .. "\r\n--" .. boundary .. "--\r\n")
  end
  assert(#tails > 0, "no images listed in " .. list)
end

local function metadata(encounter)
  return '{"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"BENCH-' .. run .. '"}},'
    .. '"encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"BENCH-' .. run .. '-wrk-' .. encounter .. '"}},'
    .. '"department":"dermatology","accessTags":["dermatology"],'
    .. '"bodySite":{"system":"http://snomed.info/sct","code":"40983000"},"laterality":"L"}'
end

function request()
  counter = counter + 1
  local tail = tails[(counter % #tails) + 1]
  local note = "wrk " .. pass .. " " .. thread_id .. " " .. counter
  local com = "\255\254" .. string.char(math.floor((#note + 2) / 256), (#note + 2) % 256) .. note
  local head = "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n'
    .. metadata(pass .. "-" .. thread_id .. "-" .. math.floor(counter / 10)) .. "\r\n--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    .. "\255\216" .. com
  -- What wrk.format would write, without its copy of the body.
  return "POST /api/v1/photos HTTP/1.1\r\nHost: " .. wrk.headers["Host"]
    .. "\r\nAuthorization: Bearer " .. token
    .. "\r\nContent-Type: multipart/form-data; boundary=" .. boundary
    .. "\r\nContent-Length: " .. (#head + #tail) .. "\r\n\r\n" .. head .. tail
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
