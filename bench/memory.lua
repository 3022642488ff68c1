-- wrk script for bench/memory.mjs: each token of a file once, as `Authorization: Bearer`, then stop.
--   wrk -t1 -c16 -d600s -s bench/memory.lua <url> -- <token file>
-- Once every token has had its answer it prints "sent <n> non200 <m>" and exits: wrk's own
-- thread:stop() would still wait out the duration. One thread (-t1), so one count.
function init(args)
  tokens = {}
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  sent = 0
  answered = 0
  non200 = 0
end

function request()
  sent = sent + 1
  -- Past the end (connections still asking while the last answers arrive): a cache hit on token 1.
  local token = tokens[sent] or tokens[1]
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then non200 = non200 + 1 end
  if answered >= #tokens then
    io.write(string.format("sent %d non200 %d\n", answered, non200))
    io.flush()
    os.exit(0)
  end
end
