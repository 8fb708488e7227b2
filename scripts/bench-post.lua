-- wrk script for scripts/bench: POSTs a new scheduled job each request (unique name per thread and count).
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local body = string.format('{"name":"posted-%d-%d","command":"echo hi","schedule":"R/2030-01-01T00:00:00Z/P1D"}', id, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
