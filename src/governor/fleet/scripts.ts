import { createHash } from 'node:crypto';

/** A Lua script and its SHA1, run with EVALSHA (EVAL when the server has not seen it). */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The fleet's token bucket: every process of the limit domain leases its sends here.
 * KEYS: state hash, members hash. ARGV: member id, proposed rate (-1: unlimited), burst, sends
 * wanted, whether this member has had a response (1/0), cold-start rate, ms a member stays
 * without leasing, furthest reservation ms.
 * The fleet's rate is the lowest any live member proposes (a 429 one saw slows all), capped at
 * the cold-start rate until any member has had a response. With no token left it reserves the
 * next one: the member sends it after the returned wait, so members are served in turn.
 * Returns {granted, wait ms, sends counted by the fleet, live members, fleet rate, answered}.
 * Time is the server's (TIME): members' clocks never meet.
 */
export const LEASE = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local live = tonumber(ARGV[7])
local fleetRate = rate
local members = 1
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i] ~= id then
    local r, seen = string.match(all[i + 1], '([^:]+):(.+)')
    if now - tonumber(seen) > live then
      redis.call('HDEL', KEYS[2], all[i])
    else
      members = members + 1
      r = tonumber(r)
      if r >= 0 and (fleetRate < 0 or r < fleetRate) then fleetRate = r end
    end
  end
end
redis.call('HSET', KEYS[2], id, ARGV[2] .. ':' .. now)
local s = redis.call('HMGET', KEYS[1], 'tokens', 'last', 'count', 'answered')
local tokens = tonumber(s[1]) or burst
local last = tonumber(s[2]) or now
local count = tonumber(s[3]) or 0
local answered = s[4] == '1' or ARGV[5] == '1'
local cold = tonumber(ARGV[6])
if not answered and cold >= 0 and (fleetRate < 0 or cold < fleetRate) then fleetRate = cold end
local granted = 0
local wait = 0
if fleetRate < 0 then
  tokens = burst
  granted = want
else
  tokens = math.min(burst, tokens + math.max(0, now - last) * fleetRate / 1000)
  if tokens >= 1 then
    granted = math.min(want, math.floor(tokens))
    tokens = tokens - granted
  else
    wait = (1 - tokens) * 1000 / math.max(fleetRate, 0.001)
    if wait <= tonumber(ARGV[8]) then
      tokens = tokens - 1
      granted = 1
    end
  end
end
count = count + granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', now, 'count', count)
if answered then redis.call('HSET', KEYS[1], 'answered', '1') end
redis.call('PEXPIRE', KEYS[1], 600000)
redis.call('PEXPIRE', KEYS[2], 600000)
return {granted, tostring(wait), count, members, tostring(fleetRate), answered and 1 or 0}
`);

/**
 * A retry-after for the fleet: the pause key lives as long as the pause (only ever lengthened),
 * and a message tells every member now. KEYS: pause key. ARGV: ms, message, channel.
 */
export const PAUSE = script(`
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
  redis.call('PUBLISH', ARGV[3], ARGV[2])
  return 1
end
return 0
`);

/** The fleet's pause now, for a member that (re)joins: {ms left, message}. KEYS: pause key. */
export const PAUSE_LEFT = script(`
return {redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1])}
`);
