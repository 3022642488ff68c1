-- wrk script: every request carries a session token the Worker has not seen before.
--   wrk -t1 -c16 -d3s -s bench/first-seen.lua <url> -- <token file> <first line, 0-based> <bearer|cookie> <__client_uat> [<most tokens>]
-- Tokens are read from the file (one a line) and walked in order, one per request. When they
-- run out the script sends a token that cannot verify, so the run fails (non-2xx) rather than
-- quietly measuring cache hits. done() prints "tokens-used <n>" for bench/run.mjs.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path, first, mode, uat = args[1], tonumber(args[2]), args[3], args[4]
  local most = tonumber(args[5] or "") or math.huge
  tokens = {}
  local n = 0
  local skip = first
  for line in io.lines(path) do
    if skip > 0 then
      skip = skip - 1
    elseif #line > 0 then
      if n >= most then break end
      n = n + 1
      tokens[n] = line
    end
  end
  count = n
  used = 0
  bearer = mode ~= "cookie"
  client_uat = uat
end

function request()
  used = used + 1
  local token = tokens[used] or "exhausted"
  local headers = {}
  if bearer then
    headers["Authorization"] = "Bearer " .. token
  else
    headers["Cookie"] = "__session=" .. token .. "; __client_uat=" .. client_uat
  end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("used")
  end
  io.write(string.format("tokens-used %d\n", total))
end
