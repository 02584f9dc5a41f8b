package io.signalman.cluster.redis;

/**
 * The Lua scripts that change shared state. Each runs atomically in Redis, bumps the cluster's
 * version counter and publishes what it changed on the events channel from inside the script, so
 * every node sees the changes in the order Redis applied them. ARGV[1] is always the key prefix and
 * ARGV[2] the calling node's id; keys are derived inside the scripts (one Redis, not Redis Cluster).
 *
 * <p>Keys (P = prefix): {@code P nodes} set of registered node ids; {@code P hb:<node>} heartbeat
 * with expiry; {@code P dir:<realm>} hash peer id to node; {@code P np:<node>} set of that node's
 * peers; {@code P nm:<node>} hash of that node's memberships; {@code P rm:<realm><room>} set of a
 * room's members on every node (the capacity count); {@code P seq} the version counter.
 * Channels: {@code P events} (changes), {@code P node:<node>} (messages for one node).
 *
 * <p>Resumable sessions (docs/cluster.md, "Resume"): {@code P sess:<token>} the realm and peer id of
 * a session; {@code P ps:<realm>} hash peer id to its session token; {@code P hl:<realm>:<id>} the
 * frames held for a peer that has no connection, as node messages, with the resume window as
 * expiry; {@code P he:<realm>:<id>} those that a live node held or received before it handed the
 * peer over (handed out first); {@code P hx:<realm>:<id>} set when more were held than allowed; {@code P orphans} sorted
 * set of held peers by the time their window ends; {@code P hs:<realm>:<id>} present while a live
 * node hands a peer over and frames may still be in flight to it. A peer whose session waits for its
 * client belongs to the pseudo-node {@code ~held}: its directory entry, memberships and peer-set
 * entry are kept under that name, so that the rooms keep it and every node routes to the held list.
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
            local HELD = '~held'
            -- The set of a room's members on every node (and ~held), as ns(node) .. id: the count that
            -- a checked join compares with the capacity. Every script that adds or removes a
            -- membership, or moves one between nodes, keeps it in step with the nm: hashes.
            local function members_key(realm, room) return P .. 'rm:' .. ns(realm) .. ns(room) end
            -- Moves peer (realm, id) with its memberships from node a to node b, announcing the move
            -- (not a leave and a join: its rooms keep it). Returns {room, membership value} pairs.
            local function move(realm, id, a, b)
              local f = ns(realm) .. ns(id)
              local rooms = {}
              local nm = redis.call('HGETALL', P .. 'nm:' .. a)
              for i = 1, #nm, 2 do
                local k = parse(nm[i])
                if k[1] == realm and k[3] == id then
                  redis.call('HDEL', P .. 'nm:' .. a, nm[i])
                  redis.call('HSET', P .. 'nm:' .. b, nm[i], nm[i + 1])
                  redis.call('SREM', members_key(k[1], k[2]), ns(a) .. id)
                  redis.call('SADD', members_key(k[1], k[2]), ns(b) .. id)
                  rooms[#rooms + 1] = k[2]
                  rooms[#rooms + 1] = nm[i + 1]
                end
              end
              redis.call('HSET', P .. 'dir:' .. realm, id, b)
              redis.call('SREM', P .. 'np:' .. a, f)
              redis.call('SADD', P .. 'np:' .. b, f)
              -- Announced as coming from b, so that every node applies it (a node skips its own events).
              event('M', b, f .. ns(b))
              return rooms
            end
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            -- Ends the held peer (realm, id): its rooms hear `reason`, its session and frames go.
            local function release_held(realm, id, reason)
              local f = ns(realm) .. ns(id)
              local nm = redis.call('HGETALL', P .. 'nm:' .. HELD)
              for i = 1, #nm, 2 do
                local k = parse(nm[i])
                if k[1] == realm and k[3] == id then
                  redis.call('HDEL', P .. 'nm:' .. HELD, nm[i])
                  redis.call('SREM', members_key(realm, k[2]), ns(HELD) .. id)
                  event('L', HELD, nm[i] .. ns(reason) .. ns(parse(nm[i + 1])[3]))
                end
              end
              if redis.call('HGET', P .. 'dir:' .. realm, id) == HELD then
                redis.call('HDEL', P .. 'dir:' .. realm, id)
                event('D', HELD, f)
              end
              redis.call('SREM', P .. 'np:' .. HELD, f)
              redis.call('ZREM', P .. 'orphans', f)
              local token = redis.call('HGET', P .. 'ps:' .. realm, id)
              if token then redis.call('DEL', P .. 'sess:' .. token) end
              redis.call('HDEL', P .. 'ps:' .. realm, id)
              redis.call('DEL', P .. 'hl:' .. realm .. ':' .. id, P .. 'he:' .. realm .. ':' .. id,
                P .. 'hx:' .. realm .. ':' .. id, P .. 'hs:' .. realm .. ':' .. id)
            end
            -- Removes every trace of node n (memberships with leave events, directory entries it still
            -- owns). With a window (ms > 0), peers that have a resumable session are held instead.
            local function depart(n, reason, window)
              local keep = {}
              if window > 0 then
                local deadline = now_ms() + window
                for _, f in ipairs(redis.call('SMEMBERS', P .. 'np:' .. n)) do
                  local p = parse(f)
                  if redis.call('HEXISTS', P .. 'ps:' .. p[1], p[2]) == 1
                      and redis.call('HGET', P .. 'dir:' .. p[1], p[2]) == n then
                    move(p[1], p[2], n, HELD)
                    redis.call('ZADD', P .. 'orphans', deadline, f)
                  end
                end
              end
              local nm = redis.call('HGETALL', P .. 'nm:' .. n)
              for i = 1, #nm, 2 do
                local value = parse(nm[i + 1])
                local k = parse(nm[i])
                redis.call('SREM', members_key(k[1], k[2]), ns(n) .. k[3])
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

    /**
     * ARGV: realm, room, id, meta, announce (0/1), capacity, '1' to enforce the capacity. Records a
     * membership; returns its version, 0 if it existed already, or -1 (nothing changed) when the
     * capacity is enforced and the room's members on all nodes, held peers included, fill it.
     */
    static final String JOIN = PRELUDE + """
            local f = ns(ARGV[3]) .. ns(ARGV[4]) .. ns(ARGV[5])
            local tail = ns(ARGV[6]) .. ns(ARGV[7]) .. ns(ARGV[8])
            local key = P .. 'nm:' .. node
            if redis.call('HEXISTS', key, f) == 1 then return 0 end
            local members = members_key(ARGV[3], ARGV[4])
            if ARGV[9] == '1' and redis.call('SCARD', members) >= tonumber(ARGV[8]) then return -1 end
            local v = event('J', node, f .. tail)
            redis.call('HSET', key, f, ns(tostring(v)) .. tail)
            redis.call('SADD', members, ns(node) .. ARGV[5])
            return v
            """;

    /** ARGV: realm, room, id, reason. Removes a membership. */
    static final String LEAVE = PRELUDE + """
            local f = ns(ARGV[3]) .. ns(ARGV[4]) .. ns(ARGV[5])
            local key = P .. 'nm:' .. node
            local value = redis.call('HGET', key, f)
            if not value then return 0 end
            redis.call('HDEL', key, f)
            redis.call('SREM', members_key(ARGV[3], ARGV[4]), ns(node) .. ARGV[5])
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
     * ARGV: resume window ms (0: none). Ends held peers whose window has passed (their rooms hear
     * {@code timeout}), and removes every registered node whose heartbeat expired, holding its
     * resumable peers for the window. Returns {dead ids, live ids}: at most one caller sees each dead node.
     */
    static final String REAP = PRELUDE + """
            local window = tonumber(ARGV[3])
            local dead, live = {}, {}
            for _, f in ipairs(redis.call('ZRANGEBYSCORE', P .. 'orphans', '-inf', now_ms())) do
              local p = parse(f)
              release_held(p[1], p[2], 'timeout')
            end
            for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
              if n ~= node and redis.call('EXISTS', P .. 'hb:' .. n) == 0 then
                depart(n, 'disconnected', window)
                dead[#dead + 1] = n
              else
                live[#live + 1] = n
              end
            end
            return { dead, live }
            """;

    /**
     * ARGV: resume window ms. Removes this node from the cluster (a clean shutdown), announcing its
     * peers' departure; resumable ones are held for the window, to resume on another node.
     */
    static final String DEPART = PRELUDE + """
            depart(node, 'disconnected', tonumber(ARGV[3]))
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
              local k = parse(nm[i])
              if not members[nm[i]] then
                redis.call('HDEL', nmKey, nm[i])
                redis.call('SREM', members_key(k[1], k[2]), ns(node) .. k[3])
                event('L', node, nm[i] .. ns('disconnected') .. ns(parse(nm[i + 1])[3]))
              else
                members[nm[i]] = nil
                redis.call('SADD', members_key(k[1], k[2]), ns(node) .. k[3])
              end
            end
            for f, tail in pairs(members) do
              local k = parse(f)
              local v = event('J', node, f .. tail)
              redis.call('HSET', nmKey, f, ns(tostring(v)) .. tail)
              redis.call('SADD', members_key(k[1], k[2]), ns(node) .. k[3])
            end
            return lost
            """;

    /** ARGV: token, realm, id, '1' if the id is bound to an identity. Records a resumable session. */
    static final String SESSION_OPEN = PRELUDE + """
            redis.call('SET', P .. 'sess:' .. ARGV[3], ns(ARGV[4]) .. ns(ARGV[5]) .. ns(ARGV[6]))
            redis.call('HSET', P .. 'ps:' .. ARGV[4], ARGV[5], ARGV[3])
            return 1
            """;

    /** ARGV: token. The realm and peer id of a session, or an empty list. */
    static final String SESSION_PEEK = PRELUDE + """
            local record = redis.call('GET', P .. 'sess:' .. ARGV[3])
            if not record then return {} end
            local p = parse(record)
            return { p[1], p[2] }
            """;

    /** ARGV: token, realm, id. Forgets a session that ended (its peer is gone or starts afresh). */
    static final String SESSION_END = PRELUDE + """
            redis.call('DEL', P .. 'sess:' .. ARGV[3])
            if redis.call('HGET', P .. 'ps:' .. ARGV[4], ARGV[5]) == ARGV[3] then
              redis.call('HDEL', P .. 'ps:' .. ARGV[4], ARGV[5])
            end
            return 1
            """;

    /** Appends a node message for held peer (realm, id), unless its hold overflowed. */
    private static final String HOLD = """
            local function hold(realm, id, message, window, limit)
              local key = P .. 'hl:' .. realm .. ':' .. id
              if redis.call('EXISTS', P .. 'hx:' .. realm .. ':' .. id) == 1 then return 1 end
              if redis.call('LLEN', key) + redis.call('LLEN', P .. 'he:' .. realm .. ':' .. id) >= limit then
                redis.call('SET', P .. 'hx:' .. realm .. ':' .. id, '1', 'PX', window)
                redis.call('DEL', key)
                return 1
              end
              redis.call('RPUSH', key, message)
              redis.call('PEXPIRE', key, window)
              return 1
            end
            """;

    /**
     * ARGV: realm, id, message, window ms, hold limit. Delivers a node message to the peer's node as
     * Redis knows it now (not as the caller's replica may still think): published to a live owner,
     * held when the peer has no connection or its node no longer listens. Returns 0 if no one has it.
     */
    static final String DELIVER = PRELUDE + HOLD + """
            local realm, id, message = ARGV[3], ARGV[4], ARGV[5]
            local owner = redis.call('HGET', P .. 'dir:' .. realm, id)
            if not owner then return 0 end
            if owner ~= HELD then
              if redis.call('PUBLISH', P .. 'node:' .. owner, message) > 0 then return 1 end
              if redis.call('HEXISTS', P .. 'ps:' .. realm, id) == 0 then return 0 end
            end
            return hold(realm, id, message, tonumber(ARGV[6]), tonumber(ARGV[7]))
            """;

    /**
     * ARGV: realm, target node, node message, window ms, hold limit, the event part of the message,
     * then the ids of the room's members on that node. Publishes a room message to a node; if that
     * node no longer listens (it died and is not yet reaped), holds it for each listed member that has a
     * resumable session.
     */
    static final String DELIVER_ROOM = PRELUDE + HOLD + """
            local realm, target = ARGV[3], ARGV[4]
            if redis.call('PUBLISH', P .. 'node:' .. target, ARGV[5]) > 0 then return 1 end
            for i = 9, #ARGV do
              local id = ARGV[i]
              local owner = redis.call('HGET', P .. 'dir:' .. realm, id)
              if (owner == target or owner == HELD) and redis.call('HEXISTS', P .. 'ps:' .. realm, id) == 1 then
                hold(realm, id, ns('P') .. ns(realm) .. ns(id) .. ARGV[8], tonumber(ARGV[6]), tonumber(ARGV[7]))
              end
            end
            return 0
            """;

    /**
     * ARGV: realm, id, window ms, '1' if this node is leaving, then the frames this node held for
     * the peer, oldest first. A live node gives up a peer whose client resumes elsewhere: the peer
     * becomes held (rooms keep it), its frames go to the list of frames from before the hand-over
     * ({@code he:}, which the claim hands out ahead of {@code hl:}), and a marker on this node's own
     * channel tells it when every frame already in flight to it has arrived (see SEAL). A leaving
     * node seals its peers itself once it has stopped listening.
     */
    static final String HAND_OVER = PRELUDE + """
            local realm, id = ARGV[3], ARGV[4]
            if redis.call('HGET', P .. 'dir:' .. realm, id) ~= node then return 0 end
            move(realm, id, node, HELD)
            local f = ns(realm) .. ns(id)
            redis.call('ZADD', P .. 'orphans', now_ms() + tonumber(ARGV[5]), f)
            local key = P .. 'he:' .. realm .. ':' .. id
            for i = 7, #ARGV do redis.call('RPUSH', key, ARGV[i]) end
            redis.call('PEXPIRE', key, tonumber(ARGV[5]))
            redis.call('SET', P .. 'hs:' .. realm .. ':' .. id, '1', 'PX', tonumber(ARGV[5]))
            if ARGV[6] ~= '1' then
              redis.call('PUBLISH', P .. 'node:' .. node, ns('S') .. ns(realm) .. ns(id))
            end
            return 1
            """;

    /** ARGV: realm, id. Every frame in flight to this node for a peer it handed over has arrived. */
    static final String SEAL = PRELUDE + """
            redis.call('DEL', P .. 'hs:' .. ARGV[3] .. ':' .. ARGV[4])
            return 1
            """;

    /**
     * ARGV: realm, id, node message, window ms. A frame that reached this node for a peer it has
     * handed over: it was sent before the hand-over (the directory still named this node), so it
     * joins the frames from before the hand-over, after those this node held itself.
     */
    static final String HOLD_LATE = PRELUDE + """
            local key = P .. 'he:' .. ARGV[3] .. ':' .. ARGV[4]
            redis.call('RPUSH', key, ARGV[5])
            redis.call('PEXPIRE', key, tonumber(ARGV[6]))
            return 1
            """;

    /**
     * ARGV: token, the peer id the new connection proved ('' if none). Takes over a session for
     * this node. Returns {0} if there is no such session (or its held frames overflowed), {1} to try
     * again shortly (its live node was asked to hand it over, or is still receiving frames for it),
     * {3} if the session's id is bound to an identity the connection did not prove, or {2, realm,
     * id, {room, membership value, ...}, held frames}: the peer is now this node's, in the same
     * rooms, and the frames held for it are handed over once.
     */
    static final String CLAIM = PRELUDE + """
            local record = redis.call('GET', P .. 'sess:' .. ARGV[3])
            if not record then return { 0 } end
            local p = parse(record)
            local realm, id = p[1], p[2]
            if p[3] == '1' and ARGV[4] ~= id then return { 3 } end
            local owner = redis.call('HGET', P .. 'dir:' .. realm, id)
            if not owner or owner == node then return { 0 } end
            if redis.call('EXISTS', P .. 'hx:' .. realm .. ':' .. id) == 1 then return { 0 } end
            if owner ~= HELD then
              if redis.call('PUBLISH', P .. 'node:' .. owner, ns('H') .. ns(realm) .. ns(id) .. ns(ARGV[3])) > 0 then
                return { 1 }
              end
            elseif redis.call('EXISTS', P .. 'hs:' .. realm .. ':' .. id) == 1 then
              return { 1 }
            end
            local rooms = move(realm, id, owner, node)
            redis.call('ZREM', P .. 'orphans', ns(realm) .. ns(id))
            -- Per sender, everything from before the hand-over was sent before anything held since.
            local early = P .. 'he:' .. realm .. ':' .. id
            local key = P .. 'hl:' .. realm .. ':' .. id
            local held = redis.call('LRANGE', early, 0, -1)
            for _, m in ipairs(redis.call('LRANGE', key, 0, -1)) do held[#held + 1] = m end
            redis.call('DEL', early, key)
            return { 2, realm, id, rooms, held }
            """;

    /**
     * Everything the other nodes hold: {version, then per registered node {node, peer fields,
     * membership field/value pairs}}. Read in one script so it is one consistent moment of the stream
     * of events.
     */
    static final String SNAPSHOT = PRELUDE + """
            local out = { redis.call('GET', P .. 'seq') or '0' }
            local listed = redis.call('SMEMBERS', P .. 'nodes')
            listed[#listed + 1] = HELD
            for _, n in ipairs(listed) do
              out[#out + 1] = { n, redis.call('SMEMBERS', P .. 'np:' .. n), redis.call('HGETALL', P .. 'nm:' .. n) }
            end
            return out
            """;

    /**
     * Every script above. A node loads them (SCRIPT LOAD) whenever it gets in step with Redis, and then
     * runs them by digest: sending a script's text with every relay would cost kilobytes per message.
     */
    static final java.util.List<String> ALL = java.util.List.of(ATTACH, DETACH, JOIN, LEAVE, HEARTBEAT, REAP,
            DEPART, RESTORE, SESSION_OPEN, SESSION_PEEK, SESSION_END, DELIVER, DELIVER_ROOM, HAND_OVER, SEAL,
            HOLD_LATE, CLAIM, SNAPSHOT);

    /** The SHA-1 digest Redis names a script by, in lower-case hex. */
    static String digest(String script) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
