-- Each request answers from the next personal link; every thread takes its own share. Should
-- the links run out, it posts to the last one again: wrk counts those 409s as non-2xx, so a run
-- that needed more links shows it rather than inflating the rate.
local links, body = {}, nil
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  for line in io.lines(os.getenv("LINKS")) do table.insert(links, line) end
  local f = io.open(os.getenv("BODY")); body = f:read("*a"); f:close()
  index = id
end
function request()
  local link = links[index] or links[#links]
  index = index + 2
  return wrk.format("POST", link, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
