-- flyer (PROTOCOLS.md §1) as a Wireshark/tshark Lua dissector, written for bench/read.bench.ts: the baseline that
-- `framescope read` is compared with. Same field names as Framescope's catalog, so one display filter runs in both:
--   tshark -X lua_script:bench/lua/flyer.lua -r capture.pcapng -Y 'flyer.jobBeanId == "invoiceJob"'
-- Registered on TCP port 20180; PDUs split over segments are reassembled by dissect_tcp_pdus. The DOC ≠ WIRE
-- alternative bodies (1004 without vhost, 1010/1011 with a leading vhost) are chosen as Framescope chooses them:
-- only when the real layout does not fill the body exactly and the alternative does.

local flyer = Proto("flyer", "flyer job scheduler")

local HEADER = 20
local PORT = 20180

local NAMES = {
  [1000] = "PullTopology", [1001] = "PullTopologyResponse", [1002] = "ShakeHand", [1003] = "ShakeHandResponse",
  [1004] = "Heartbeat", [1005] = "HeartbeatResponse", [1006] = "ExecuteJob", [1007] = "ExecuteJobResponse",
  [1008] = "ReportJobResult", [1009] = "ReportJobResultResponse", [1010] = "CancelJob", [1011] = "CancelJobResponse",
  [1012] = "CommitJob", [1013] = "CommitJobResponse",
}

local F = {
  start = ProtoField.uint16("flyer.start", "Start marker", base.DEC),
  length = ProtoField.uint32("flyer.length", "Body length", base.DEC),
  protocol = ProtoField.uint32("flyer.protocol", "Protocol", base.DEC, NAMES),
  version = ProtoField.uint16("flyer.version", "Version", base.DEC),
  packet_id = ProtoField.uint64("flyer.packet_id", "Packet id", base.DEC),
  serverVersion = ProtoField.int32("flyer.serverVersion", "serverVersion", base.DEC),
  servers_len = ProtoField.uint16("flyer.servers_len", "servers length", base.DEC),
  servers = ProtoField.string("flyer.servers", "servers"),
  appCode_len = ProtoField.uint16("flyer.appCode_len", "appCode length", base.DEC),
  appCode = ProtoField.string("flyer.appCode", "appCode"),
  vhost_len = ProtoField.uint16("flyer.vhost_len", "vhost length", base.DEC),
  vhost = ProtoField.string("flyer.vhost", "vhost (jobs)"),
  req = ProtoField.uint8("flyer.req", "req", base.DEC),
  resp = ProtoField.uint8("flyer.resp", "resp", base.DEC),
  jobBeanId_len = ProtoField.uint16("flyer.jobBeanId_len", "jobBeanId length", base.DEC),
  jobBeanId = ProtoField.string("flyer.jobBeanId", "jobBeanId"),
  paramData_len = ProtoField.uint16("flyer.paramData_len", "paramData length", base.DEC),
  paramData = ProtoField.string("flyer.paramData", "paramData"),
  result = ProtoField.uint8("flyer.result", "result", base.DEC),
  logStr_len = ProtoField.uint16("flyer.logStr_len", "logStr length", base.DEC),
  logStr = ProtoField.string("flyer.logStr", "logStr"),
  body = ProtoField.bytes("flyer.body", "body (raw)"),
}
flyer.fields = {
  F.start, F.length, F.protocol, F.version, F.packet_id, F.serverVersion, F.servers_len, F.servers, F.appCode_len,
  F.appCode, F.vhost_len, F.vhost, F.req, F.resp, F.jobBeanId_len, F.jobBeanId, F.paramData_len, F.paramData,
  F.result, F.logStr_len, F.logStr, F.body,
}

local E_TRUNCATED = ProtoExpert.new("flyer.truncated", "Truncated flyer PDU", expert.group.MALFORMED, expert.severity.ERROR)
local E_FORM = ProtoExpert.new("flyer.form", "Document/client form of the body", expert.group.PROTOCOL, expert.severity.WARN)
flyer.experts = { E_TRUNCATED, E_FORM }

-- Body layouts: 's' = u16 LE length + UTF-8 string, 'b' = u8, 'i' = i32 LE.
local function S(name) return { name = name, kind = "s" } end
local function B(name) return { name = name, kind = "b" } end
local function I(name) return { name = name, kind = "i" } end

local BODIES = {
  [1000] = {},
  [1001] = { I("serverVersion"), S("servers") },
  [1002] = { S("appCode"), S("vhost"), B("req") },
  [1003] = { B("resp") },
  [1004] = { S("appCode"), S("vhost"), B("req") },
  [1005] = { B("resp"), I("serverVersion") },
  [1006] = { S("jobBeanId"), S("paramData") },
  [1007] = { S("jobBeanId"), B("result") },
  [1008] = { S("jobBeanId"), B("result"), S("logStr") },
  [1009] = { S("jobBeanId"), B("result") },
  [1010] = { S("jobBeanId") },
  [1011] = { S("jobBeanId"), B("result") },
}
local ALT_BODIES = {
  [1004] = { S("appCode"), B("req") },
  [1010] = { S("vhost"), S("jobBeanId") },
  [1011] = { S("vhost"), S("jobBeanId"), B("result") },
}
local SUMMARY = {
  [1000] = { "packet_id" }, [1001] = { "serverVersion", "servers" }, [1002] = { "appCode", "vhost" },
  [1003] = { "resp" }, [1004] = { "appCode", "vhost" }, [1005] = { "serverVersion" },
  [1006] = { "packet_id", "jobBeanId", "paramData" }, [1007] = { "packet_id", "jobBeanId", "result" },
  [1008] = { "packet_id", "jobBeanId", "result" }, [1009] = { "packet_id", "jobBeanId", "result" },
  [1010] = { "packet_id", "jobBeanId" }, [1011] = { "packet_id", "jobBeanId", "result" },
  [1012] = { "packet_id", "length" }, [1013] = { "packet_id", "length" },
}

-- Position after `fields` from `pos`, or -1 when they do not fit before `limit` (sizes from the prefixes only).
local function walk(tvb, fields, pos, limit)
  for _, f in ipairs(fields) do
    if f.kind == "s" then
      if pos + 2 > limit then return -1 end
      pos = pos + 2 + tvb(pos, 2):le_uint()
    elseif f.kind == "i" then
      pos = pos + 4
    else
      pos = pos + 1
    end
    if pos > limit then return -1 end
  end
  return pos
end

-- One PDU, [0, tvb:len()) of the tvb dissect_tcp_pdus hands over.
local function dissect_pdu(tvb, pinfo, tree)
  local n = tvb:len()
  local root = tree:add(flyer, tvb(0, n))
  root:add_le(F.start, tvb(0, 2))
  root:add_le(F.length, tvb(2, 4))
  root:add_le(F.protocol, tvb(6, 4))
  root:add_le(F.version, tvb(10, 2))
  root:add_le(F.packet_id, tvb(12, 8))
  local id = tvb(6, 4):le_uint()
  local length = tvb(2, 4):le_uint()
  local limit = HEADER + length
  if limit > n then
    limit = n
    root:add_proto_expert_info(E_TRUNCATED)
  end
  local values = { packet_id = tostring(tvb(12, 8):le_uint64()), length = length }

  local fields = BODIES[id]
  if fields and ALT_BODIES[id] and walk(tvb, fields, HEADER, limit) ~= limit and walk(tvb, ALT_BODIES[id], HEADER, limit) == limit then
    fields = ALT_BODIES[id]
    root:add_proto_expert_info(E_FORM)
  end
  if fields == nil then
    if limit > HEADER then root:add(F.body, tvb(HEADER, limit - HEADER)) end
  else
    local pos = HEADER
    for _, f in ipairs(fields) do
      if f.kind == "s" then
        if pos + 2 > limit then root:add_proto_expert_info(E_TRUNCATED) break end
        local len = tvb(pos, 2):le_uint()
        root:add_le(F[f.name .. "_len"], tvb(pos, 2))
        if pos + 2 + len > limit then root:add_proto_expert_info(E_TRUNCATED) break end
        local text = len > 0 and tvb(pos + 2, len):string(ENC_UTF_8) or ""
        root:add(F[f.name], len > 0 and tvb(pos + 2, len) or tvb(pos + 2, 0), text)
        values[f.name] = text
        pos = pos + 2 + len
      else
        local size = f.kind == "i" and 4 or 1
        if pos + size > limit then root:add_proto_expert_info(E_TRUNCATED) break end
        root:add_le(F[f.name], tvb(pos, size))
        values[f.name] = f.kind == "i" and tvb(pos, 4):le_int() or tvb(pos, 1):uint()
        pos = pos + size
      end
    end
  end

  local name = NAMES[id] or "Unknown"
  local info = { name }
  for _, k in ipairs(SUMMARY[id] or { "packet_id", "length" }) do
    if values[k] ~= nil then info[#info + 1] = k .. "=" .. tostring(values[k]) end
  end
  pinfo.cols.protocol = "flyer"
  pinfo.cols.info:append(table.concat(info, " ") .. " ")
  return n
end

local function pdu_length(tvb, pinfo, offset)
  return HEADER + tvb(offset + 2, 4):le_uint()
end

function flyer.dissector(tvb, pinfo, tree)
  pinfo.cols.info:clear()
  dissect_tcp_pdus(tvb, tree, HEADER, pdu_length, dissect_pdu, true)
  return tvb:len()
end

DissectorTable.get("tcp.port"):add(PORT, flyer)
