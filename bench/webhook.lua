-- wrk script for the webhook benchmark: each thread sends its share of the
-- pre-signed sim events (file in EVENTS_FILE), each once, in order.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS") or "2")
  requests_ = {}
  local n = 0
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    if n % count == index then
      local ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      table.insert(requests_, wrk.format("POST", "/webhooks/sim/events",
        {["Content-Type"] = "application/json", ["X-Sim-Timestamp"] = ts, ["X-Sim-Signature"] = sig}, body))
    end
    n = n + 1
  end
  next_ = 1
end

function request()
  local r = requests_[next_]
  next_ = next_ + 1
  if next_ > #requests_ then next_ = 1 end  -- wrapped: counted as redeliveries by the host
  return r
end
