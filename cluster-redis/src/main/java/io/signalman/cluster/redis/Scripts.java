package io.signalman.cluster.redis;

/**
 * The Lua scripts that change shared state. Each runs atomically in Redis, bumps the cluster's
 * version counter and publishes what it changed on the events channel from inside the script, so
 * every node sees the changes in the order Redis applied them. ARGV[1] is always the key prefix and
 * ARGV[2] the calling node's id; keys are derived inside the scripts (one Redis, not Redis Cluster).
 *
 * <p>Keys (P = prefix): {@code P nodes} set of registered node ids; {@code P hb:<node>} heartbeat
 * with expiry; {@code P dir:<realm>} hash peer id to node; {@code P np:<node>} set of that node's
 * peers; {@code P nm:<node>} hash of that node's memberships; {@code P seq} the version counter.
 * Channels: {@code P events} (changes), {@code P node:<node>} (messages for one node).
 */
final class Scripts {
    private Scripts() {}

    /** Helpers shared by every script: netstring encode/parse and the event publisher. */
    private static final String PRELUDE = """
            local P, node = ARGV[1], ARGV[2]
            local function ns(s) return #s .. ':' .. s end
            local function parse(s)
              local out, i = {}, 1
              while i <= #s do
                local c = string.find(s, ':', i, true)
                local n = tonumber(string.sub(s, i, c - 1))
                out[#out + 1] = string.sub(s, c + 1, c + n)
                i = c + n + 1
              end
              return out
            end
            local function event(kind, origin, body)
              local v = redis.call('INCR', P .. 'seq')
              redis.call('PUBLISH', P .. 'events', ns(kind) .. ns(tostring(v)) .. ns(origin) .. body)
              return v
            end
            -- Removes every trace of node n (memberships with leave events, directory entries it still owns).
            local function depart(n, reason)
              local nm = redis.call('HGETALL', P .. 'nm:' .. n)
              for i = 1, #nm, 2 do
                local value = parse(nm[i + 1])
                event('L', n, nm[i] .. ns(reason) .. ns(value[3]))
              end
              for _, f in ipairs(redis.call('SMEMBERS', P .. 'np:' .. n)) do
                local p = parse(f)
                local dir = P .. 'dir:' .. p[1]
                if redis.call('HGET', dir, p[2]) == n then
                  redis.call('HDEL', dir, p[2])
                  event('D', n, f)
                end
              end
              redis.call('DEL', P .. 'nm:' .. n, P .. 'np:' .. n, P .. 'hb:' .. n)
              redis.call('SREM', P .. 'nodes', n)
            end
            """;

    /** ARGV: realm, id. Takes the id for this node; returns the node that held it before, or ''. */
    static final String ATTACH = PRELUDE + """
            local realm, id = ARGV[3], ARGV[4]
            local dir = P .. 'dir:' .. realm
            local f = ns(realm) .. ns(id)
            local prev = redis.call('HGET', dir, id)
            redis.call('HSET', dir, id, node)
            redis.call('SADD', P .. 'np:' .. node, f)
            if prev and prev ~= node then redis.call('SREM', P .. 'np:' .. prev, f) end
            event('A', node, f)
            return prev or ''
            """;

    /** ARGV: realm, id. Frees the id if this node still holds it. */
    static final String DETACH = PRELUDE + """
            local realm, id = ARGV[3], ARGV[4]
            local dir = P .. 'dir:' .. realm
            local f = ns(realm) .. ns(id)
            redis.call('SREM', P .. 'np:' .. node, f)
            if redis.call('HGET', dir, id) ~= node then return 0 end
            redis.call('HDEL', dir, id)
            event('D', node, f)
            return 1
            """;

    /** ARGV: realm, room, id, meta, announce (0/1), capacity. Records a membership. */
    static final String JOIN = PRELUDE + """
            local f = ns(ARGV[3]) .. ns(ARGV[4]) .. ns(ARGV[5])
            local tail = ns(ARGV[6]) .. ns(ARGV[7]) .. ns(ARGV[8])
            local key = P .. 'nm:' .. node
            if redis.call('HEXISTS', key, f) == 1 then return 0 end
            local v = event('J', node, f .. tail)
            redis.call('HSET', key, f, ns(tostring(v)) .. tail)
            return v
            """;

    /** ARGV: realm, room, id, reason. Removes a membership. */
    static final String LEAVE = PRELUDE + """
            local f = ns(ARGV[3]) .. ns(ARGV[4]) .. ns(ARGV[5])
            local key = P .. 'nm:' .. node
            local value = redis.call('HGET', key, f)
            if not value then return 0 end
            redis.call('HDEL', key, f)
            event('L', node, f .. ns(ARGV[6]) .. ns(parse(value)[3]))
            return 1
            """;

    /** ARGV: ttl ms. Registers this node and renews its heartbeat; returns 1 if it was not registered. */
    static final String HEARTBEAT = PRELUDE + """
            local added = redis.call('SADD', P .. 'nodes', node)
            redis.call('SET', P .. 'hb:' .. node, '1', 'PX', ARGV[3])
            return added
            """;

    /**
     * Removes every registered node whose heartbeat expired. Returns {dead ids, live ids}: at most
     * one caller sees each dead node.
     */
    static final String REAP = PRELUDE + """
            local dead, live = {}, {}
            for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
              if n ~= node and redis.call('EXISTS', P .. 'hb:' .. n) == 0 then
                depart(n, 'disconnected')
                dead[#dead + 1] = n
              else
                live[#live + 1] = n
              end
            end
            return { dead, live }
            """;

    /** Removes this node from the cluster (a clean shutdown), announcing its peers' departure. */
    static final String DEPART = PRELUDE + """
            depart(node, 'disconnected')
            return 1
            """;

    /**
     * ARGV: ttl, peer count n, n peer fields (realm, id), then pairs of membership field (realm, room,
     * id) and value (meta, announce, capacity). Makes Redis hold exactly this node's present state
     * (after an outage, a Redis restart, or being taken for dead), announcing each difference.
     * Returns the peer fields whose ids another live node took meanwhile (this node must give them up).
     */
    static final String RESTORE = PRELUDE + """
            redis.call('SADD', P .. 'nodes', node)
            redis.call('SET', P .. 'hb:' .. node, '1', 'PX', ARGV[3])
            local n = tonumber(ARGV[4])
            local peers, lost = {}, {}
            for i = 5, 4 + n do peers[ARGV[i]] = true end
            local npKey = P .. 'np:' .. node
            for _, f in ipairs(redis.call('SMEMBERS', npKey)) do
              if not peers[f] then
                local p = parse(f)
                redis.call('SREM', npKey, f)
                if redis.call('HGET', P .. 'dir:' .. p[1], p[2]) == node then
                  redis.call('HDEL', P .. 'dir:' .. p[1], p[2])
                  event('D', node, f)
                end
              end
            end
            for f in pairs(peers) do
              local p = parse(f)
              local dir = P .. 'dir:' .. p[1]
              local holder = redis.call('HGET', dir, p[2])
              if holder and holder ~= node and redis.call('EXISTS', P .. 'hb:' .. holder) == 1 then
                lost[#lost + 1] = f
              elseif holder ~= node then
                redis.call('HSET', dir, p[2], node)
                redis.call('SADD', npKey, f)
                event('A', node, f)
              else
                redis.call('SADD', npKey, f)
              end
            end
            local members = {}
            for i = 5 + n, #ARGV, 2 do members[ARGV[i]] = ARGV[i + 1] end
            local nmKey = P .. 'nm:' .. node
            local nm = redis.call('HGETALL', nmKey)
            for i = 1, #nm, 2 do
              if not members[nm[i]] then
                redis.call('HDEL', nmKey, nm[i])
                event('L', node, nm[i] .. ns('disconnected') .. ns(parse(nm[i + 1])[3]))
              else
                members[nm[i]] = nil
              end
            end
            for f, tail in pairs(members) do
              local v = event('J', node, f .. tail)
              redis.call('HSET', nmKey, f, ns(tostring(v)) .. tail)
            end
            return lost
            """;

    /**
     * Everything the other nodes hold: {version, then per registered node {node, peer fields,
     * membership field/value pairs}}. Read in one script so it is one consistent moment of the stream
     * of events.
     */
    static final String SNAPSHOT = PRELUDE + """
            local out = { redis.call('GET', P .. 'seq') or '0' }
            for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
              out[#out + 1] = { n, redis.call('SMEMBERS', P .. 'np:' .. n), redis.call('HGETALL', P .. 'nm:' .. n) }
            end
            return out
            """;
}
