-- The edge's check for JSON fields a request body's message does not define (tools/edge/config.py).
--
-- Envoy's grpc_json_transcoder drops them silently (grpc-httpjson-transcoding sets the protobuf JSON
-- parser's ignore_unknown_fields and no option turns that off), so `{"isAdmin": true}` would reach a
-- service as an empty message and succeed. This filter runs just before the transcoder, on the whole
-- body (the buffer filter before it has collected it, at most the services' gRPC message limit), and
-- answers 400 INVALID_ARGUMENT with a google.rpc.BadRequest naming every unknown field.
--
-- tools/edge/config.py prepends the tables it needs, generated from the contracts:
--   ROUTES[http method] = list of {pattern (Lua, on the path without its query), type (the body's
--                         message), prefix (the body's path in the request: "" or "customer"), rpc}
--   MESSAGES[type]      = {[JSON or proto field name] = false (not checked further) | {proto name, type,
--                         map = true for a map whose values are `type`}}; types absent from MESSAGES
--                         (google.protobuf.Struct, Any, ...) are not checked
--   DOMAIN              = the ErrorInfo domain of the edge's own errors
-- A body this strict (RFC 8259) parser cannot read is refused with 400 too.

local byte, find, sub = string.byte, string.find, string.sub
local MAX_REPORTED = 20
local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function skip_space(s, i)
  local _, last = find(s, "^[ \t\r\n]*", i)
  return last + 1
end

-- The string starting at s[i] == '"': the index after its closing quote and its raw (escaped) text.
local function scan_string(s, i)
  local j = i + 1
  while true do
    local k = find(s, '["\\]', j)
    if k == nil then
      error("unterminated string", 0)
    end
    if byte(s, k) == 34 then
      return k + 1, sub(s, i + 1, k - 1)
    end
    j = k + 2
  end
end

local function unescape(raw)
  if not find(raw, "\\", 1, true) then
    return raw
  end
  local out, i = {}, 1
  while i <= #raw do
    local c = sub(raw, i, i)
    if c == "\\" then
      local e = sub(raw, i + 1, i + 1)
      if e == "u" then
        local code = tonumber(sub(raw, i + 2, i + 5), 16) or 63
        out[#out + 1] = code < 128 and string.char(code) or "?"
        i = i + 6
      else
        out[#out + 1] = ESCAPES[e] or e
        i = i + 2
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

-- Parses the JSON value at s[i] (after white space), checking objects against `spec`:
-- nil (nothing to check), {type = T} (a message of type T), {type = T, map = true} (a map of Ts).
-- Appends the path of every unknown field to `unknown`; returns the index after the value.
local parse_value

local function parse_object(s, i, spec, path, unknown)
  local fields = spec and not spec.map and MESSAGES[spec.type]
  i = skip_space(s, i + 1)
  if byte(s, i) == 125 then
    return i + 1
  end
  while true do
    if byte(s, i) ~= 34 then
      error("expected a key", 0)
    end
    local after, raw = scan_string(s, i)
    local key = unescape(raw)
    i = skip_space(s, after)
    if byte(s, i) ~= 58 then
      error("expected ':'", 0)
    end
    local child, child_path = nil, nil
    if spec and spec.map then
      child, child_path = { type = spec.type }, path .. "['" .. key .. "']"
    elseif fields then
      local field = fields[key]
      local joined = path == "" and "" or path .. "."
      if field == nil then
        if #unknown < MAX_REPORTED then
          unknown[#unknown + 1] = joined .. key
        end
      elseif field then
        child, child_path = field, joined .. field[1]
      end
    end
    i = parse_value(s, skip_space(s, i + 1), child, child_path, unknown)
    i = skip_space(s, i)
    local c = byte(s, i)
    if c == 125 then
      return i + 1
    elseif c ~= 44 then
      error("expected ',' or '}'", 0)
    end
    i = skip_space(s, i + 1)
  end
end

local function parse_array(s, i, spec, path, unknown)
  i = skip_space(s, i + 1)
  if byte(s, i) == 93 then
    return i + 1
  end
  local index = 0
  while true do
    local element_path = path and (path .. "[" .. index .. "]")
    i = skip_space(s, parse_value(s, i, spec, element_path, unknown))
    local c = byte(s, i)
    if c == 93 then
      return i + 1
    elseif c ~= 44 then
      error("expected ',' or ']'", 0)
    end
    i = skip_space(s, i + 1)
    index = index + 1
  end
end

parse_value = function(s, i, spec, path, unknown)
  local c = byte(s, i)
  if c == 123 then
    return parse_object(s, i, spec, path, unknown)
  elseif c == 91 then
    return parse_array(s, i, spec, path, unknown)
  elseif c == 34 then
    return (scan_string(s, i))
  end
  local _, last = find(s, "^[%w%.%+%-]+", i)
  if last == nil then
    error("unexpected character", 0)
  end
  return last + 1
end

-- The unknown fields of a body for `route` (a list, maybe empty), or nil and why the body is not JSON.
local function unknown_fields(text, route)
  local unknown = {}
  local ok, err = pcall(function()
    local i = skip_space(text, 1)
    i = skip_space(text, parse_value(text, i, { type = route.type }, route.prefix, unknown))
    if i <= #text then
      error("trailing characters", 0)
    end
  end)
  if not ok then
    return nil, tostring(err)
  end
  return unknown
end

-- A JSON string of `value`; bytes outside ASCII (only ever in an unknown key) become "?".
local function json_string(value)
  local escaped = value:gsub('[%c"\\\128-\255]', function(c)
    if c == '"' or c == "\\" then
      return "\\" .. c
    elseif byte(c) > 127 then
      return "?"
    end
    return string.format("\\u%04x", byte(c))
  end)
  return '"' .. escaped .. '"'
end

local function match_route(method, path)
  local candidates = ROUTES[method]
  if candidates == nil then
    return nil
  end
  for _, route in ipairs(candidates) do
    if find(path, route.pattern) then
      return route
    end
  end
  return nil
end

local function reply(handle, message, details)
  local body = '{"code":3,"message":' .. json_string(message) .. ',"details":[' .. table.concat(details, ",") .. "]}"
  -- The local reply mapper that matches this marker sends the body as it is (see tools/edge/config.py).
  handle:streamInfo():dynamicMetadata():set("envoy.filters.http.lua", "edge_reply", "json")
  handle:respond({ [":status"] = "400", ["content-type"] = "application/json" }, body)
end

function envoy_on_request(handle)
  local headers = handle:headers()
  local route = match_route(headers:get(":method"), ((headers:get(":path") or ""):gsub("%?.*$", "")))
  if route == nil then
    return
  end
  local body = handle:body()
  if body == nil or body:length() == 0 then
    return
  end
  local unknown, malformed = unknown_fields(body:getBytes(0, body:length()), route)
  if unknown == nil then
    -- Fail closed: what this parser cannot read, the transcoder's more lenient one (unquoted keys,
    -- single quotes) might, and would then drop the fields this check never saw.
    reply(handle, "the request body is not valid JSON: " .. malformed, {})
    return
  end
  if #unknown == 0 then
    return
  end
  local violations = {}
  for index, field in ipairs(unknown) do
    violations[index] = '{"field":' .. json_string(field) .. ',"description":"is not a field of the request"}'
  end
  local noun = #unknown > 1 and "unknown fields" or "unknown field"
  reply(handle, noun .. " in the " .. route.rpc .. " request: " .. table.concat(unknown, ", "), {
    '{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"FIELD_VIOLATION","domain":'
      .. json_string(DOMAIN)
      .. ',"metadata":{}}',
    '{"@type":"type.googleapis.com/google.rpc.BadRequest","field_violations":[' .. table.concat(violations, ",") .. "]}",
  })
end
