-- Each request answers from the next personal link; every thread takes its own share.
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
  local link = links[index]
  index = index + 2
  if link == nil then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", link, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
