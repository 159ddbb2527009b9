'use strict'
// The Lua scripts of RedisCallStore. Each change is one script, so each is
// atomic in Redis without an optimistic check (nothing conflicts, nothing is
// retried). Every script opens with the same guard (GUARD):
//
//   ARGV[1] the epoch the caller believes in, ARGV[2] notAfter (Redis ms; 0:
//   none), ARGV[3] minGen (the highest generation the caller has seen in that
//   epoch). KEYS[1] the epoch key, KEYS[2] the generation counter.
//   -> {'late'}            Redis is past notAfter: the caller has given up (nothing done)
//   -> {'epoch', current}  the epoch differs (Redis restarted empty: '')
//   -> {'rollback', gen}   the generation went back: Redis came back from an older snapshot
//
// Keys: every key lives under the store's prefix, which must contain a hash
// tag ({...}), so every key is in one Redis Cluster slot. The fixed keys of a
// script and the user keys it is given are in KEYS; the keys of other members
// of a call (ended with it, refreshed with it) and of the calls that user keys
// point at are built from ARGV base (prefix + epoch + ':'), in the same slot.
//   base c:<callId>   hash: meta (JSON, for JS), others (JSON), bits, caller,
//                     ringUntil, phase, answeredAt, joined, ringing, m:<user> -> state,
//                     keep (ms an ended call is kept), t:<user> / l:<user> -> joined / left at
//   base e:<callId>   the same hash once the call ended (kept keep ms for its record),
//                     plus endedAt, endReason, endBy
//   base x:<callId>   hash: channel entry key -> entry (JSON): the call's media presence
//   base ch:<conv>    the newest callId in that conversation's channel
//   base settle       sorted set: ended callId by the time its record is due at the latest
//   base u:<user>     the call the user rings for or is joined to
//   base dl           sorted set: callId by ring deadline while someone rings
//   base nodes        hash: node -> "<last beat> <steady since>" (Redis TIME ms)
//   base pv           hash: node -> presence version last written
//   base p:<user>     hash: node -> sockets the user has there
//   base nu:<node>    set: users with a socket on that node
const { TABLE } = require('../../machine')
const { Member } = require('../../protocol')

// one character per member state in a snapshot (see SNAPSHOT)
const CODE = {}
for (const state of Object.values(Member)) CODE[state] = state[0]
if (new Set(Object.values(CODE)).size !== Object.keys(CODE).length) throw new Error('member state codes collide')

// member state -> event -> next member state (and why the call ends, if it does), from the machine's own table
const NEXT = {}
const REASON = {}
for (const [state, row] of Object.entries(TABLE)) {
  NEXT[state] = {}
  REASON[state] = {}
  for (const [event, [to, , reason]] of Object.entries(row)) {
    NEXT[state][event] = to
    REASON[state][event] = reason || ''
  }
}

const GUARD = `
local tm = redis.call('TIME')
local now_r = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
if tonumber(ARGV[2]) > 0 and now_r > tonumber(ARGV[2]) then return {'late'} end
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then return {'epoch', epoch or ''} end
local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
if gen < tonumber(ARGV[3]) then return {'rollback', tostring(gen)} end
`

// Is user u active in the call that its user key (value cid) names? (a liveness check)
const LIVE = `
local function live(cid, u, base)
  if not cid then return false end
  local s = redis.call('HGET', base .. 'c:' .. cid, 'm:' .. u)
  return s == 'joined' or s == 'ringing'
end
`

// A new call. KEYS: 3 call, 4 deadlines, 5 caller's user key, 6.. others' user keys.
// ARGV: 4 callId, 5 caller, 6 meta, 7 ringUntil, 8 base, 9 maxCallMs, 10 others (JSON),
// 11 conversationId, 12 keep (ms an ended call is kept for its record; 0: not kept).
// -> {'busy', callId} | {'taken'} | {'none', gen, bits} | {'ok', gen, bits}; bits: '1' rung, '0' busy, per other
const CREATE = GUARD + LIVE + `
local base, cid = ARGV[8], ARGV[4]
local cur = redis.call('GET', KEYS[5])
if live(cur, ARGV[5], base) then return {'busy', cur} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'taken'} end
local others = cjson.decode(ARGV[10])
local flags, rung = {}, 0
for i = 1, #others do
  if live(redis.call('GET', KEYS[5 + i]), others[i], base) then flags[i] = '0'
  else flags[i] = '1'; rung = rung + 1 end
end
local bits = table.concat(flags)
if rung == 0 then return {'none', tostring(gen), bits} end
local g = redis.call('INCR', KEYS[2])
local ck, px = KEYS[3], ARGV[9]
redis.call('HSET', ck, 'meta', ARGV[6], 'others', ARGV[10], 'bits', bits, 'caller', ARGV[5],
  'ringUntil', ARGV[7], 'phase', 'ringing', 'answeredAt', '', 'joined', '1', 'ringing', rung, 'm:' .. ARGV[5], 'joined',
  'keep', ARGV[12])
redis.call('SET', base .. 'ch:' .. ARGV[11], cid, 'PX', px)
for i = 1, #others do
  if flags[i] == '1' then
    redis.call('HSET', ck, 'm:' .. others[i], 'ringing')
    redis.call('SET', KEYS[5 + i], cid, 'PX', px)
  else
    redis.call('HSETNX', ck, 'm:' .. others[i], 'busy')
  end
end
redis.call('SET', KEYS[5], cid, 'PX', px)
redis.call('PEXPIRE', ck, px)
redis.call('ZADD', KEYS[4], ARGV[7], cid)
redis.call('PEXPIRE', KEYS[4], px)
return {'ok', tostring(g), bits}
`

// The call as it was, compact: its fields, and one character per member state
// in the order [caller, ...others] (JS keeps meta/others/bits per call: sent
// only when asked, ARGV[10] = '1').
const SNAPSHOT = `
local CODE = cjson.decode('${JSON.stringify(CODE)}')
local function snapshot(f, full)
  local others = cjson.decode(f.others)
  local codes = { CODE[f['m:' .. f.caller]] }
  for i = 1, #others do codes[i + 1] = CODE[f['m:' .. others[i]]] or '?' end
  local s = { f.phase, f.answeredAt, f.joined, f.ringing, table.concat(codes) }
  if full then s[6] = f.meta; s[7] = f.others; s[8] = f.bits end
  return s
end
`

// One machine step. KEYS: 3 call, 4 deadlines, 5 the actor's user key (the call key again without an actor).
// ARGV: 4 event, 5 actor, 6 now (ms, the machine's clock), 7 callId, 8 base, 9 maxCallMs.
// -> {'missing', gen} | {'same', gen, snapshot} | {'ok', gen, snapshot, ended}
// An ending step of a call with keep > 0 renames it to e:<callId> with its end
// (endedAt, endReason, endBy) and puts it in the settle set (its record is due).
// snapshot: the call before the step (SNAPSHOT), so that JS runs machine.step on it.
const APPLY = GUARD + SNAPSHOT + `
local NEXT = cjson.decode('${JSON.stringify(NEXT)}')
local REASON = cjson.decode('${JSON.stringify(REASON)}')
local ck, ev, actor, now, cid, base, px = KEYS[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
if redis.call('EXISTS', ck) == 0 then
  if ev == 'timeout' then redis.call('ZREM', KEYS[4], cid) end
  return {'missing', tostring(gen)}
end
local h = redis.call('HGETALL', ck)
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
local joined, ringing = tonumber(f.joined), tonumber(f.ringing)
local changes = {}
local reason, by = '', ''
if ev == 'timeout' then
  if now >= tonumber(f.ringUntil) and ringing > 0 then
    for k, v in pairs(f) do
      if v == 'ringing' and string.sub(k, 1, 2) == 'm:' then changes[#changes + 1] = {string.sub(k, 3), 'missed', v} end
    end
    ringing = 0
    reason = 'missed'
  end
elseif ev == 'channel-gone' then
  for k, v in pairs(f) do
    if string.sub(k, 1, 2) == 'm:' then
      if v == 'joined' then changes[#changes + 1] = {string.sub(k, 3), 'left', v}
      elseif v == 'ringing' then changes[#changes + 1] = {string.sub(k, 3), 'missed', v} end
    end
  end
  joined, ringing, reason = 0, 0, 'channel-destroyed'
else
  local s = f['m:' .. actor]
  local nx = s and NEXT[s] and NEXT[s][ev]
  if nx and ev == 'cancel' and f.caller ~= actor then nx = nil end
  if nx then
    if s == 'joined' then joined = joined - 1 elseif s == 'ringing' then ringing = ringing - 1 end
    if nx == 'joined' then joined = joined + 1 elseif nx == 'ringing' then ringing = ringing + 1 end
    changes[1] = {actor, nx, s}
    reason, by = REASON[s][ev], actor
  end
end
local snap = snapshot(f, ARGV[10] == '1')
if #changes == 0 then return {'same', tostring(gen), snap} end
local g = redis.call('INCR', KEYS[2])
local ended = not (joined > 0 and joined + ringing >= 2)
local function stamp(c)
  if c[2] == 'joined' then redis.call('HSET', ck, 't:' .. c[1], ARGV[6])
  elseif c[3] == 'joined' then redis.call('HSET', ck, 'l:' .. c[1], ARGV[6]) end
end
if ended then
  for k, v in pairs(f) do
    if (v == 'joined' or v == 'ringing') and string.sub(k, 1, 2) == 'm:' then
      local uk = base .. 'u:' .. string.sub(k, 3)
      if redis.call('GET', uk) == cid then redis.call('DEL', uk) end
    end
  end
  redis.call('ZREM', KEYS[4], cid)
  local keep = tonumber(f.keep or '0') or 0
  if keep > 0 then
    for _, c in ipairs(changes) do
      redis.call('HSET', ck, 'm:' .. c[1], c[2])
      stamp(c)
    end
    redis.call('HSET', ck, 'joined', joined, 'ringing', ringing, 'endedAt', ARGV[6], 'endReason', reason, 'endBy', by)
    local ek = base .. 'e:' .. cid
    redis.call('RENAME', ck, ek)
    redis.call('PEXPIRE', ek, keep * 2 + 60000)
    redis.call('PEXPIRE', base .. 'x:' .. cid, keep * 2 + 60000)
    redis.call('ZADD', base .. 'settle', now + keep, cid)
    redis.call('PEXPIRE', base .. 'settle', px)
  else
    redis.call('DEL', ck)
    redis.call('DEL', base .. 'x:' .. cid)
  end
  return {'ok', tostring(g), snap, 1}
end
for _, c in ipairs(changes) do
  stamp(c)
  redis.call('HSET', ck, 'm:' .. c[1], c[2])
  f['m:' .. c[1]] = c[2]
  local uk = base .. 'u:' .. c[1]
  if c[2] == 'joined' or c[2] == 'ringing' then redis.call('SET', uk, cid, 'PX', px)
  elseif redis.call('GET', uk) == cid then redis.call('DEL', uk) end
end
redis.call('HSET', ck, 'joined', joined, 'ringing', ringing)
if changes[1][2] == 'joined' and f.phase ~= 'active' then
  redis.call('HSET', ck, 'phase', 'active', 'answeredAt', ARGV[6])
end
if ringing == 0 then redis.call('ZREM', KEYS[4], cid) end
-- keys live maxCallMs/2 .. maxCallMs after the last change: refreshed all at once
if redis.call('PTTL', ck) < tonumber(px) / 2 then
  redis.call('PEXPIRE', ck, px)
  for k, v in pairs(f) do
    if (v == 'joined' or v == 'ringing') and string.sub(k, 1, 2) == 'm:' then
      redis.call('PEXPIRE', base .. 'u:' .. string.sub(k, 3), px)
    end
  end
end
return {'ok', tostring(g), snap, 0}
`

// A media entry (lib/call/media.js) for the call of a conversation's channel, live or ended and kept.
// KEYS: 3 ch:<conv>. ARGV: 4 base, 5 entry key, 6 entry (JSON), 7 maxCallMs, 8 max entries, 9 '1': the call's fixed part too.
// -> {'none', gen} | {'ok', gen, callId, live, duplicate, entries, snapshot or {}, createdAt, full (1: not added)}
const CHANNEL = GUARD + SNAPSHOT + `
local cid = redis.call('GET', KEYS[3])
if not cid then return {'none', tostring(gen)} end
local base = ARGV[4]
local ck = base .. 'c:' .. cid
local live = redis.call('EXISTS', ck) == 1
if not live then
  ck = base .. 'e:' .. cid
  if redis.call('EXISTS', ck) == 0 then return {'none', tostring(gen)} end
end
local xk = base .. 'x:' .. cid
local dup = redis.call('HEXISTS', xk, ARGV[5])
local full = 0
if dup == 0 and redis.call('HLEN', xk) >= tonumber(ARGV[8]) then full = 1 end
if dup == 0 and full == 0 then
  redis.call('HSET', xk, ARGV[5], ARGV[6])
  redis.call('PEXPIRE', xk, live and ARGV[7] or math.max(redis.call('PTTL', ck), 1))
end
local snap = {}
local meta = redis.call('HGET', ck, 'meta')
if live then
  local h = redis.call('HGETALL', ck)
  local f = {}
  for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
  snap = snapshot(f, ARGV[9] == '1')
end
return {'ok', tostring(gen), cid, live and 1 or 0, dup, redis.call('HVALS', xk), snap, cjson.decode(meta).createdAt, full}
`

// An ended call kept for its record: ARGV 5 '1' takes it (exactly one caller gets it), else reads it.
// A take is a change (one more generation): a restart from a snapshot saved before it is then a
// rollback, not a second take of the same record.
// KEYS: 3 e:<callId>, 4 x:<callId>, 5 settle. ARGV: 4 callId, 5 take.
// -> {'none', gen} | {'ok', gen, hash (flat), entries}
const ENDED = GUARD + `
if redis.call('EXISTS', KEYS[3]) == 0 then
  if ARGV[5] == '1' then redis.call('ZREM', KEYS[5], ARGV[4]) end
  return {'none', tostring(gen)}
end
local h = redis.call('HGETALL', KEYS[3])
local x = redis.call('HVALS', KEYS[4])
if ARGV[5] == '1' then
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('ZREM', KEYS[5], ARGV[4])
  gen = redis.call('INCR', KEYS[2])
end
return {'ok', tostring(gen), h, x}
`

// Which of the users of ARGV[5] (JSON) have no socket on any process.
// KEYS: only the guard's. ARGV: 4 base, 5 users. -> {'ok', gen, offline users}
const OFFLINE = GUARD + `
local users = cjson.decode(ARGV[5])
local out = {}
for i = 1, #users do
  local n = 0
  for _, v in ipairs(redis.call('HVALS', ARGV[4] .. 'p:' .. users[i])) do n = n + tonumber(v) end
  if n <= 0 then out[#out + 1] = users[i] end
end
return {'ok', tostring(gen), out}
`

// The call a user is in, checked live (a stale index entry is dropped).
// KEYS: 3 the user key. ARGV: 4 user, 5 base. -> {'ok', gen, callId or ''}
const CALL_OF = GUARD + LIVE + `
local cid = redis.call('GET', KEYS[3])
if not cid then return {'ok', tostring(gen), ''} end
if live(cid, ARGV[4], ARGV[5]) then return {'ok', tostring(gen), cid} end
redis.call('DEL', KEYS[3])
return {'ok', tostring(gen), ''}
`

// The state of each [user, callId] of ARGV[5] (JSON) now: '' when not a member (or no such call).
// KEYS: only the guard's. ARGV: 4 base. -> {'ok', gen, states}
const STATES = GUARD + `
local pairs_ = cjson.decode(ARGV[5])
local out = {}
for i = 1, #pairs_ do
  out[i] = redis.call('HGET', ARGV[4] .. 'c:' .. pairs_[i][2], 'm:' .. pairs_[i][1]) or ''
end
return {'ok', tostring(gen), out}
`

// A user's socket count on this node, written as an absolute value (so a write
// sent again after a failure is right whatever happened to the first one).
// KEYS: 3 p:<user>, 4 nu:<node>, 5 pv. ARGV: 4 node, 5 user, 6 count, 7 presence version, 8 maxCallMs.
// -> {'ok', gen, sockets the user has on all nodes}
const PRESENCE = GUARD + `
if tonumber(ARGV[6]) > 0 then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[6])
  redis.call('SADD', KEYS[4], ARGV[5])
else
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('SREM', KEYS[4], ARGV[5])
end
redis.call('PEXPIRE', KEYS[3], ARGV[8])
redis.call('PEXPIRE', KEYS[4], ARGV[8])
redis.call('HSET', KEYS[5], ARGV[4], ARGV[7])
redis.call('PEXPIRE', KEYS[5], ARGV[8])
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(v) end
return {'ok', tostring(gen), total}
`

// This node's presence from scratch: ARGV[6] is JSON { user: sockets }.
// KEYS: 3 nu:<node>, 4 pv. ARGV: 4 node, 5 base, 6 counts, 7 presence version, 8 maxCallMs. -> {'ok', gen}
const RESET_PRESENCE = GUARD + `
local counts = cjson.decode(ARGV[6])
for _, u in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if not counts[u] then redis.call('HDEL', ARGV[5] .. 'p:' .. u, ARGV[4]) end
end
redis.call('DEL', KEYS[3])
for u, n in pairs(counts) do
  local pk = ARGV[5] .. 'p:' .. u
  redis.call('HSET', pk, ARGV[4], n)
  redis.call('PEXPIRE', pk, ARGV[8])
  redis.call('SADD', KEYS[3], u)
end
redis.call('PEXPIRE', KEYS[3], ARGV[8])
redis.call('HSET', KEYS[4], ARGV[4], ARGV[7])
redis.call('PEXPIRE', KEYS[4], ARGV[8])
return {'ok', tostring(gen)}
`

// Heartbeat (Redis TIME), reaping and due deadlines in one round trip.
// KEYS: 3 nodes, 4 deadlines, 5 pv, 6 settle. ARGV: 4 node, 5 nodeTtlMs, 6 now (machine clock), 7 limit, 8 base, 9 maxCallMs.
// A node is reaped when its last beat is over nodeTtlMs old, and only by a
// sweeper that has itself beaten without a lapse for over nodeTtlMs: after a
// Redis stall every beat has lapsed, so nobody reaps until all had time to beat.
// -> {'ok', gen, redisNow, due, gone, registered, lapsed, presence version, records due}
const SWEEP = GUARD + `
local self, ttl, base = ARGV[4], tonumber(ARGV[5]), ARGV[8]
local function parse(v)
  local sp = string.find(v, ' ')
  return tonumber(string.sub(v, 1, sp - 1)), tonumber(string.sub(v, sp + 1))
end
local own = redis.call('HGET', KEYS[3], self)
local lapsed, since = true, now_r
if own then
  local beat, s = parse(own)
  if now_r - beat <= ttl then lapsed = false; since = s end
end
redis.call('HSET', KEYS[3], self, string.format('%d %d', now_r, since))
local gone = {}
if not lapsed and now_r - since > ttl then
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local n = all[i]
    local beat = parse(all[i + 1])
    if n ~= self and now_r - beat > ttl then
      redis.call('HDEL', KEYS[3], n)
      redis.call('HDEL', KEYS[5], n)
      local nu = base .. 'nu:' .. n
      for _, u in ipairs(redis.call('SMEMBERS', nu)) do
        local pk = base .. 'p:' .. u
        redis.call('HDEL', pk, n)
        if redis.call('HLEN', pk) == 0 then gone[#gone + 1] = u end
      end
      redis.call('DEL', nu)
    end
  end
end
local px = ARGV[9]
for _, k in ipairs({KEYS[1], KEYS[2], KEYS[3]}) do redis.call('PEXPIRE', k, px) end
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[6], 'LIMIT', 0, ARGV[7])
local settled = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', ARGV[6], 'LIMIT', 0, ARGV[7])
return {'ok', tostring(gen), tostring(now_r), due, gone, own and 1 or 0, lapsed and 1 or 0, redis.call('HGET', KEYS[5], self) or '0', settled}
`

// The epoch: set it when there is none (Redis restarted empty, or first use),
// or move to a new one from `from` (a rollback, or an epoch left before).
// KEYS: 1 epoch, 2 gen. ARGV: 1 proposed, 2 from ('' : only if none), 3 gen to start above.
// -> {epoch, gen}
const EPOCH = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or (ARGV[2] ~= '' and cur == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1])
  local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
  local floor = tonumber(ARGV[3])
  if floor > gen then redis.call('SET', KEYS[2], string.format('%d', floor)) end
  redis.call('INCR', KEYS[2])
  cur = ARGV[1]
end
return {cur, redis.call('GET', KEYS[2]) or '0'}
`

module.exports = { CREATE, APPLY, CHANNEL, ENDED, OFFLINE, CALL_OF, STATES, PRESENCE, RESET_PRESENCE, SWEEP, EPOCH, NEXT, CODE }
