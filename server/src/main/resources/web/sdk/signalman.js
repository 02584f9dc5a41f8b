// Signalman JavaScript SDK: a client for the native protocol (docs/protocol.md, served at /v1/ws)
// and a mesh helper that keeps one RTCPeerConnection per other member of a room.
//
// One ES module, no build step and no dependencies: browsers import it from /sdk/signalman.js, and
// Node (18+) imports the same file and passes a WebSocket constructor (the `ws` package).
//
//   import { SignalmanClient, Mesh } from '/sdk/signalman.js';
//   const client = new SignalmanClient();            // ws(s)://<this host>/v1/ws
//   await client.connect();
//   const mesh = new Mesh(client, 'demo', { channels: { chat: {} } });
//   mesh.on('track', ({ peer, streams }) => show(peer, streams[0]));
//   for (const track of camera.getTracks()) mesh.addTrack(track, camera);
//   await mesh.join({ name: 'alice' });

/**
 * A STUN or TURN server in the W3C `RTCIceServer` shape, as the server lists them in `welcome`.
 * @typedef {{urls: string|string[], username?: string, credential?: string}} IceServer
 */

/**
 * The server's first frame on every connection.
 * @typedef {object} Welcome
 * @property {string} peer         this connection's peer id
 * @property {string} session      secret resume token; the client sends it back as `?resume=` when it reconnects
 * @property {boolean} resumed     true if the server restored the previous session (peer id, rooms)
 * @property {IceServer[]} iceServers
 * @property {number} heartbeatMs
 * @property {{messageBytes: number}} limits
 */

/**
 * Another member of a room and the `meta` object it joined with.
 * @typedef {{peer: string, meta: object}} Member
 */

/**
 * `connecting` until the first welcome, `open` while a session is up, `reconnecting` after a
 * connection is lost (until the next welcome), `closed` after {@link SignalmanClient#close} or when
 * the server ends the session for good (evicted). `idle` before {@link SignalmanClient#connect}.
 * @typedef {'idle'|'connecting'|'open'|'reconnecting'|'closed'} ConnectionState
 */

/**
 * @typedef {object} StateChange
 * @property {ConnectionState} state
 * @property {number} attempt        failed connection attempts in a row (0 once a welcome arrives)
 * @property {number} [retryInMs]    when the next attempt starts, while connecting or reconnecting
 * @property {number} [code]         close code of the connection that was lost
 * @property {string} [reason]       close reason of the connection that was lost
 */

/**
 * `peer-joined`: a peer is in a room with you, either because it joined (`existing: false`) or
 * because it was there when you joined or rejoined (`existing: true`).
 * @typedef {{room: string, peer: string, meta: object, existing: boolean}} PeerJoined
 */

/**
 * `peer-left`: a peer is no longer in a room with you. `reason` is the server's (`left`,
 * `disconnected`, `kicked`, `timeout`), or `you-left` when you left the room, or `session-lost` when
 * your connection came back as a new session (new peer id) and the room is being joined again.
 * @typedef {{room: string, peer: string, reason: string}} PeerLeft
 */

/** @typedef {{from: string, room?: string, data: any}} SignalEvent */
/** @typedef {{room: string, from: string, data: any}} BroadcastEvent */

/**
 * @typedef {object} ClientOptions
 * @property {typeof WebSocket} [WebSocket]  WebSocket constructor; defaults to the global one (browsers, Node 22+)
 * @property {boolean} [reconnect=true]      reconnect after a lost connection, with backoff
 * @property {number} [minDelayMs=500]       first reconnect delay; doubles per failed attempt
 * @property {number} [maxDelayMs=10000]     longest reconnect delay
 * @property {number} [connectTimeoutMs=10000]  give up on a connection attempt without welcome after this
 * @property {number} [requestTimeoutMs=15000]  reject a request with `timeout` if no answer comes in this time
 * @property {number} [pingIntervalMs]       send `ping` when nothing arrived for this long; default: the welcome's heartbeatMs
 * @property {number} [pongTimeoutMs=10000]  after a ping, treat the connection as dead if nothing arrives in this time
 */

/**
 * A failed request or a fault the server reported. `code` is one of the protocol's error codes
 * (`room-full`, `peer-unavailable`, `not-in-room`, ...) or one of the client's own: `timeout` (no
 * answer in time), `disconnected` (the connection was lost before the answer), `closed` (the client
 * was closed), `too-large` (the request exceeds the server's message limit and was not sent).
 */
export class SignalmanError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {object} [frame]  the server's error frame, if it sent one
   */
  constructor(code, message, frame) {
    super(message);
    this.name = 'SignalmanError';
    /** @type {string} */
    this.code = code;
    /** @type {object|undefined} */
    this.frame = frame;
  }
}

/** A minimal event emitter: the same API in browsers and Node, and handlers get plain objects. */
class Emitter {
  #handlers = new Map();

  /**
   * Calls `handler(detail)` for every event of `type`.
   * @param {string} type
   * @param {(detail: any) => void} handler
   * @returns {() => void} a function that removes the handler
   */
  on(type, handler) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(handler);
    return () => this.off(type, handler);
  }

  /** Removes a handler added with {@link on}. */
  off(type, handler) {
    this.#handlers.get(type)?.delete(handler);
  }

  /**
   * Resolves with the detail of the next event of `type` for which `test(detail)` is true.
   * @param {string} type
   * @param {(detail: any) => boolean} [test]
   * @returns {Promise<any>}
   */
  next(type, test = () => true) {
    return new Promise((resolve) => {
      const off = this.on(type, (detail) => {
        if (!test(detail)) return;
        off();
        resolve(detail);
      });
    });
  }

  /** @protected */
  emit(type, detail) {
    for (const handler of [...(this.#handlers.get(type) ?? [])]) {
      try {
        handler(detail);
      } catch (error) {
        // An application bug must not stop the client from reading the frames after it; rethrowing
        // on a fresh task still shows it in the console (and fails a Node test).
        setTimeout(() => { throw error; });
      }
    }
  }
}

/** The native protocol URL of the page's own server: ws(s)://HOST/v1/ws. */
export function defaultUrl() {
  if (typeof location === 'undefined') throw new TypeError('SignalmanClient needs a URL outside a browser');
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`;
}

const encoder = new TextEncoder();

/**
 * A connection to a Signalman node that survives network loss: it reconnects with exponential
 * backoff, sends its resume token, and joins its rooms again when the server starts a new session.
 *
 * Requests (`join`, `leave`, `signal`, `broadcast`, `ice`, `ping`) carry a fresh id and return a
 * promise that settles with the server's answer to that id: it resolves on success and rejects with a
 * {@link SignalmanError} on an error frame. Requests made while the connection is down wait for the
 * next session; `join` and `leave` that were in flight when it dropped are sent again, while
 * `signal` and `broadcast` reject with `disconnected` (they name peers of the old session).
 *
 * Events (see {@link Emitter#on}): `state` ({@link StateChange}), `welcome` ({@link Welcome}),
 * `peer-joined` ({@link PeerJoined}), `peer-left` ({@link PeerLeft}), `signal` ({@link SignalEvent}),
 * `broadcast` ({@link BroadcastEvent}), `rejoin-failed` ({room, error}) when a room cannot be joined
 * again after a reconnect (e.g. it filled up meanwhile), `ice-servers` ({iceServers, ttl}) when the
 * server pushes fresh TURN credentials (already kept for {@link iceServers}), `goaway`
 * ({reason, reconnectMs}) when the node drains (the client then moves by itself: it closes with 4000,
 * which keeps its session, and resumes wherever its URL leads), and `error`
 * ({@link SignalmanError}) for faults the server reports without naming a request.
 */
export class SignalmanClient extends Emitter {
  #url;
  #options;
  #WebSocket;
  /** @type {WebSocket|null} */
  #ws = null;
  /** @type {ConnectionState} */
  #state = 'idle';
  /** @type {Welcome|null} */
  #welcome = null;
  #session = null;
  /** @type {IceServer[]} */
  #iceServers = [];
  #attempt = 0;
  #nextId = 0;
  /** Requests sent on the current connection, by id. */
  #pending = new Map();
  /** Requests waiting for the next session, in order. */
  #queue = [];
  /** Rooms this client is in (or rejoining): name → {meta, members: Map<peer, meta>, leaving}. */
  #rooms = new Map();
  #retryTimer = null;
  #connectTimer = null;
  #heartbeatTimer = null;
  #lastReceived = 0;
  #pingSentAt = 0;
  #openWaiters = [];
  #onOnline = () => {
    if (this.#retryTimer) this.#retryNow();
  };

  /**
   * @param {string} [url]  e.g. `wss://signal.example.org/v1/ws`; in a browser it defaults to the page's host
   * @param {ClientOptions} [options]
   */
  constructor(url, options = {}) {
    super();
    this.#url = url ?? defaultUrl();
    this.#options = {
      reconnect: true, minDelayMs: 500, maxDelayMs: 10_000, connectTimeoutMs: 10_000,
      requestTimeoutMs: 15_000, pongTimeoutMs: 10_000, ...options,
    };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('no WebSocket constructor: pass one as options.WebSocket (e.g. the ws package)');
    }
  }

  /** @returns {ConnectionState} */
  get state() { return this.#state; }

  /** This connection's peer id, or null before the first welcome. It changes when a session is not resumed. */
  get peer() { return this.#welcome?.peer ?? null; }

  /** The resume token of the latest session, or null. */
  get session() { return this.#session; }

  /** @returns {IceServer[]} the ICE servers of the latest welcome (or `ice` answer) */
  get iceServers() { return this.#iceServers; }

  /** @returns {Welcome|null} the latest welcome */
  get welcome() { return this.#welcome; }

  /** The rooms this client is in. */
  get rooms() { return [...this.#rooms.keys()]; }

  /**
   * The other members of a room as this client knows them, in join order.
   * @param {string} room
   * @returns {Member[]}
   */
  members(room) {
    return [...(this.#rooms.get(room)?.members ?? [])].map(([peer, meta]) => ({ peer, meta }));
  }

  /**
   * Opens the connection (once; later calls return the same wait). Resolves with the welcome of the
   * first session. Failed attempts are retried with backoff and reported as `state` events; the
   * promise rejects only if {@link close} is called first.
   * @returns {Promise<Welcome>}
   */
  connect() {
    if (this.#state === 'open') return Promise.resolve(this.#welcome);
    if (this.#state === 'closed') return Promise.reject(new SignalmanError('closed', 'the client is closed'));
    const opened = new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
    if (this.#state === 'idle') {
      if (typeof globalThis.addEventListener === 'function') globalThis.addEventListener('online', this.#onOnline);
      this.#setState('connecting');
      this.#dial();
    }
    return opened;
  }

  /**
   * Ends the session for good: no reconnect, every waiting request rejects with `closed`.
   * @param {number} [code=1000]
   * @param {string} [reason]
   */
  close(code = 1000, reason = '') {
    if (this.#state === 'closed') return;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      try { ws.close(code, reason); } catch { /* already closing */ }
    }
    this.#stopTimers();
    if (typeof globalThis.removeEventListener === 'function') globalThis.removeEventListener('online', this.#onOnline);
    const error = new SignalmanError('closed', 'the client is closed');
    this.#failAll(error);
    for (const waiter of this.#openWaiters.splice(0)) waiter.reject(error);
    this.#setState('closed', { code, reason });
  }

  /**
   * Joins a room. Resolves with the other members; each is also announced as a `peer-joined` event
   * with `existing: true`. After a reconnect that starts a new session, the client joins its rooms
   * again with the same `meta`.
   * @param {string} room   1 to 128 characters
   * @param {object} [meta] shown to the other members, e.g. `{name: 'alice'}`
   * @returns {Promise<{room: string, peers: Member[]}>}
   */
  join(room, meta = {}) {
    return this.#request({ type: 'join', room, meta }, {
      retry: true,
      onReply: (frame) => this.#joined(frame, meta),
    }).then((frame) => ({ room: frame.room, peers: frame.peers }));
  }

  /**
   * Leaves a room. Each member is announced as a `peer-left` event with reason `you-left`.
   * @param {string} room
   * @returns {Promise<void>}
   */
  leave(room) {
    const entry = this.#rooms.get(room);
    if (entry) entry.leaving = true;
    return this.#request({ type: 'leave', room }, {
      retry: true,
      onReply: () => this.#dropRoom(room, 'you-left'),
      onError: () => { if (entry) entry.leaving = false; },
    }).then(() => undefined);
  }

  /**
   * Sends `data` (any JSON value) to one peer. Resolves once the server has handed it to the peer's
   * connection; rejects with `peer-unavailable` if the peer is not in reach.
   * @param {string} to
   * @param {any} data
   * @param {{room?: string}} [options] name a room to restrict delivery to its members
   * @returns {Promise<void>}
   */
  signal(to, data, { room } = {}) {
    const frame = room === undefined ? { type: 'signal', to, data } : { type: 'signal', to, room, data };
    return this.#request(frame).then(() => undefined);
  }

  /**
   * Sends `data` to every other member of a room.
   * @param {string} room
   * @param {any} data
   * @returns {Promise<void>}
   */
  broadcast(room, data) {
    return this.#request({ type: 'broadcast', room, data }).then(() => undefined);
  }

  /**
   * Asks for the current ICE servers (and keeps them for {@link iceServers}).
   * @returns {Promise<IceServer[]>}
   */
  ice() {
    return this.#request({ type: 'ice' }).then((frame) => {
      this.#iceServers = frame.iceServers;
      return frame.iceServers;
    });
  }

  /**
   * Round trip to the server.
   * @returns {Promise<number>} milliseconds from sending to the answer
   */
  ping() {
    const started = Date.now();
    return this.#request({ type: 'ping' }).then(() => Date.now() - started);
  }

  // ---- requests ---------------------------------------------------------------------------

  #request(frame, { retry = false, onReply, onError } = {}) {
    return new Promise((resolve, reject) => {
      if (this.#state === 'closed' || this.#state === 'idle') {
        reject(new SignalmanError('closed', this.#state === 'idle' ? 'call connect() first' : 'the client is closed'));
        return;
      }
      const id = ++this.#nextId;
      const entry = { id, frame: { ...frame, id }, retry, onReply, onError, resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#unqueue(entry);
        this.#settle(entry, new SignalmanError('timeout', `no answer to ${frame.type} within ${this.#options.requestTimeoutMs} ms`));
      }, this.#options.requestTimeoutMs);
      if (this.#state === 'open') this.#transmit(entry);
      else this.#queue.push(entry);
    });
  }

  #transmit(entry) {
    const text = JSON.stringify(entry.frame);
    const limit = this.#welcome?.limits?.messageBytes;
    if (limit && encoder.encode(text).length > limit) {
      this.#settle(entry, new SignalmanError('too-large', `${entry.frame.type} is larger than the server's ${limit}-byte limit`));
      return;
    }
    this.#pending.set(entry.id, entry);
    this.#ws.send(text);
  }

  #unqueue(entry) {
    const index = this.#queue.indexOf(entry);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** Resolves (frame) or rejects (SignalmanError) a request exactly once. */
  #settle(entry, outcome) {
    clearTimeout(entry.timer);
    if (outcome instanceof SignalmanError) {
      entry.onError?.(outcome);
      entry.reject(outcome);
    } else {
      entry.onReply?.(outcome);
      entry.resolve(outcome);
    }
  }

  #failAll(error) {
    for (const entry of [...this.#pending.values(), ...this.#queue]) this.#settle(entry, error);
    this.#pending.clear();
    this.#queue = [];
  }

  // ---- connection ------------------------------------------------------------------------

  #dial() {
    this.#retryTimer = null;
    let url = this.#url;
    if (this.#session) url += (url.includes('?') ? '&' : '?') + 'resume=' + encodeURIComponent(this.#session);
    let ws;
    try {
      ws = new this.#WebSocket(url);
    } catch (error) {
      // A malformed URL never gets better by retrying.
      this.close();
      throw error;
    }
    this.#ws = ws;
    this.#lastReceived = Date.now();
    ws.onmessage = (event) => {
      if (this.#ws === ws) this.#receive(event.data);
    };
    ws.onclose = (event) => {
      if (this.#ws === ws) this.#lost(event.code, event.reason);
    };
    // Every failure is followed by a close event, which carries what there is to know.
    ws.onerror = () => {};
    this.#connectTimer = setTimeout(() => {
      if (this.#ws === ws && !this.#welcomedOn(ws)) this.#abandon(ws, 'no welcome in time');
    }, this.#options.connectTimeoutMs);
  }

  /**
   * The node drains. After the delay it names, the client leaves with a close code that keeps its
   * session (not 1000, which would end it) and reconnects with its resume token; a load balancer
   * sends it to another node, which takes the session over with everything sent meanwhile.
   */
  #onGoaway(frame) {
    const ws = this.#ws;
    const delay = Math.max(0, Number(frame.reconnectMs) || 0);
    this.emit('goaway', { reason: frame.reason, reconnectMs: delay });
    // A closing handshake, not an abandon: frames the node sends until it answers the close still
    // arrive and count; the reconnect follows the close event as after any loss.
    setTimeout(() => {
      if (this.#ws !== ws) return;
      try { ws.close(4000, 'goaway'); } catch { this.#abandon(ws, 'goaway'); }
    }, delay);
  }

  #welcomedOn(ws) {
    return this.#state === 'open' && this.#ws === ws;
  }

  /** Drops a connection that is silent or stuck without waiting for TCP to notice. */
  #abandon(ws, reason) {
    try { ws.close(4000, reason); } catch { /* already closing */ }
    this.#lost(1006, reason);
  }

  #lost(code, reason) {
    this.#ws = null;
    this.#stopTimers();
    // Answers to requests of the lost connection will never come. join and leave describe where the
    // client wants to be, so they go out again on the next session; the rest fail now.
    const inFlight = [...this.#pending.values()].sort((a, b) => a.id - b.id);
    this.#pending.clear();
    const again = [];
    for (const entry of inFlight) {
      if (entry.retry) again.push(entry);
      else this.#settle(entry, new SignalmanError('disconnected', `connection lost before the answer to ${entry.frame.type}`));
    }
    this.#queue = [...again, ...this.#queue];
    const evicted = code === 1008 && reason === 'evicted';
    if (!this.#options.reconnect || evicted) {
      const error = new SignalmanError(evicted ? 'evicted' : 'disconnected', `connection closed (${code} ${reason})`);
      this.#failAll(error);
      for (const waiter of this.#openWaiters.splice(0)) waiter.reject(error);
      this.#setState('closed', { code, reason });
      return;
    }
    this.#attempt += 1;
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.minDelayMs * 2 ** (this.#attempt - 1));
    // Random in [ceiling/2, ceiling]: clients that lost the same node do not all return at once.
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.#retryTimer = setTimeout(() => this.#dial(), delay);
    this.#setState(this.#welcome ? 'reconnecting' : 'connecting', { retryInMs: delay, code, reason });
  }

  #retryNow() {
    clearTimeout(this.#retryTimer);
    this.#dial();
  }

  #stopTimers() {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#heartbeatTimer);
    this.#retryTimer = this.#connectTimer = this.#heartbeatTimer = null;
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.emit('state', { state, attempt: this.#attempt, ...detail });
  }

  // ---- frames ----------------------------------------------------------------------------

  #receive(text) {
    this.#lastReceived = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // the server writes JSON; anything else is not ours to interpret
    }
    if (frame === null || typeof frame !== 'object') return;
    if (frame.re !== undefined) {
      const entry = this.#pending.get(frame.re);
      if (entry) {
        this.#pending.delete(frame.re);
        this.#settle(entry, frame.type === 'error'
          ? new SignalmanError(frame.code, frame.message ?? frame.code, frame) : frame);
        return;
      }
    }
    switch (frame.type) {
      case 'welcome': this.#onWelcome(frame); break;
      case 'goaway': this.#onGoaway(frame); break;
      case 'peer-joined': {
        const room = this.#rooms.get(frame.room);
        if (!room) break;
        room.members.set(frame.peer, frame.meta ?? {});
        this.emit('peer-joined', { room: frame.room, peer: frame.peer, meta: frame.meta ?? {}, existing: false });
        break;
      }
      case 'peer-left': {
        const room = this.#rooms.get(frame.room);
        if (!room || !room.members.delete(frame.peer)) break;
        this.emit('peer-left', { room: frame.room, peer: frame.peer, reason: frame.reason });
        break;
      }
      case 'signal': this.emit('signal', { from: frame.from, room: frame.room, data: frame.data }); break;
      case 'broadcast': this.emit('broadcast', { room: frame.room, from: frame.from, data: frame.data }); break;
      case 'error': this.emit('error', new SignalmanError(frame.code, frame.message ?? frame.code, frame)); break;
      case 'ice-servers': // pushed before minted TURN credentials expire
        this.#iceServers = frame.iceServers ?? [];
        this.emit('ice-servers', { iceServers: this.#iceServers, ttl: frame.ttl ?? 0 });
        break;
      default: break; // pong, and frame types of later protocol versions
    }
  }

  #onWelcome(frame) {
    clearTimeout(this.#connectTimer);
    const previous = this.#welcome;
    this.#welcome = frame;
    this.#session = frame.session;
    this.#iceServers = frame.iceServers ?? [];
    this.#attempt = 0;
    this.#pingSentAt = 0;
    if (previous && !frame.resumed) this.#startOver();
    this.#setState('open');
    this.emit('welcome', frame);
    for (const waiter of this.#openWaiters.splice(0)) waiter.resolve(frame);
    const queued = this.#queue;
    this.#queue = [];
    for (const entry of queued) this.#transmit(entry);
    this.#armHeartbeat();
  }

  /**
   * A new session is in no room: members of the old one are gone, rooms are joined again, and a
   * leave that was waiting is done already.
   */
  #startOver() {
    for (const entry of [...this.#queue]) {
      if (entry.frame.type !== 'leave') continue;
      this.#unqueue(entry);
      this.#dropRoom(entry.frame.room, 'session-lost');
      this.#settle(entry, { type: 'left', room: entry.frame.room });
    }
    for (const [name, room] of [...this.#rooms]) {
      for (const peer of [...room.members.keys()]) {
        room.members.delete(peer);
        this.emit('peer-left', { room: name, peer, reason: 'session-lost' });
      }
      if (room.leaving) {
        this.#rooms.delete(name);
        continue;
      }
      // Sent ahead of the queue: requests made during the outage may address the room's members.
      this.#queue.unshift(this.#rejoinEntry(name, room.meta));
    }
  }

  #rejoinEntry(room, meta) {
    const id = ++this.#nextId;
    const entry = {
      id, frame: { type: 'join', room, meta, id }, retry: true, timer: null,
      onReply: (frame) => this.#joined(frame, meta),
      resolve: () => {},
      reject: (error) => {
        this.#rooms.delete(room);
        this.emit('rejoin-failed', { room, error });
      },
    };
    entry.timer = setTimeout(() => {
      this.#pending.delete(id);
      this.#unqueue(entry);
      this.#settle(entry, new SignalmanError('timeout', `no answer to join within ${this.#options.requestTimeoutMs} ms`));
    }, this.#options.requestTimeoutMs);
    return entry;
  }

  #joined(frame, meta) {
    const members = new Map(frame.peers.map((member) => [member.peer, member.meta ?? {}]));
    this.#rooms.set(frame.room, { meta, members, leaving: false });
    for (const [peer, peerMeta] of members) {
      this.emit('peer-joined', { room: frame.room, peer, meta: peerMeta, existing: true });
    }
  }

  #dropRoom(name, reason) {
    const room = this.#rooms.get(name);
    if (!room) return;
    this.#rooms.delete(name);
    for (const peer of room.members.keys()) this.emit('peer-left', { room: name, peer, reason });
  }

  // ---- liveness --------------------------------------------------------------------------

  // Browsers cannot see WebSocket pings, so a dead server (no FIN, no RST: a laptop lid, a NAT
  // that forgot the flow) would go unnoticed for minutes; after a quiet interval the client asks
  // with an application ping and gives the connection up if nothing at all comes back.
  #armHeartbeat() {
    const interval = this.#options.pingIntervalMs ?? (this.#welcome?.heartbeatMs || 25_000);
    const tick = () => {
      const ws = this.#ws;
      if (!ws || this.#state !== 'open') return;
      const quiet = Date.now() - this.#lastReceived;
      if (this.#pingSentAt > this.#lastReceived) {
        this.#abandon(ws, 'no answer to ping');
        return;
      }
      if (quiet < interval) {
        this.#heartbeatTimer = setTimeout(tick, interval - quiet);
        return;
      }
      this.#pingSentAt = Date.now();
      ws.send('{"type":"ping"}');
      this.#heartbeatTimer = setTimeout(tick, this.#options.pongTimeoutMs);
    };
    this.#heartbeatTimer = setTimeout(tick, interval);
  }
}

/**
 * @typedef {object} MeshOptions
 * @property {RTCConfiguration} [rtcConfig]  extra RTCPeerConnection settings; `iceServers` defaults to the welcome's
 * @property {Object<string, RTCDataChannelInit>} [channels]  data channels to open with every peer, by label.
 *   They are created as negotiated channels (same id on both sides, from the order of the labels unless
 *   `id` is given), so every member must list the same labels in the same order.
 * @property {typeof RTCPeerConnection} [RTCPeerConnection]  defaults to the global one
 * @property {number} [answerWaitMs=3000]  how long a member waits for a newcomer's offer before offering itself
 */

/**
 * One connection of a {@link Mesh}.
 * @typedef {object} MeshPeer
 * @property {string} peer
 * @property {object} meta
 * @property {RTCPeerConnection} pc
 * @property {boolean} polite   this side yields when offers cross
 * @property {Map<string, RTCDataChannel>} channels  by label
 */

/**
 * Keeps an RTCPeerConnection to every other member of one room and negotiates each with the
 * "perfect negotiation" pattern: either side may renegotiate at any time (tracks added or removed,
 * ICE restarts), and when two offers cross, the side with the smaller peer id is polite (it drops
 * its own offer and answers) while the other ignores the incoming offer. Both sides know both ids,
 * so they agree on the roles without exchanging a message.
 *
 * When a peer arrives, the newcomer makes the first offer and the members already there answer it
 * (or offer themselves after `answerWaitMs` if no offer came, e.g. from a newcomer with nothing to
 * send). Crossing offers at every join would be settled too, but cost a round trip and a rollback,
 * and Chromium sometimes stops gathering candidates on a connection that rolled back mid-gathering.
 *
 * Signals travel as `signal` frames scoped to the room: `{description}` or `{candidate}`.
 *
 * Events: `peer` ({@link MeshPeer}) when a connection is created, `state` ({peer, state}) on each
 * `connectionState` change, `track` ({peer, track, streams}), `channel` ({peer, label, channel}) when
 * a data channel opens, `message` ({peer, label, data}), `peer-left` ({peer, reason}) when a
 * connection is closed, `glare` ({peer, polite}) when offers crossed, and `error` ({peer, error}).
 */
export class Mesh extends Emitter {
  #client;
  #room;
  #options;
  #RTCPeerConnection;
  /** @type {Map<string, MeshPeer & {queue: Promise<void>, makingOffer: boolean, ignoreOffer: boolean, senders: Map}>} */
  #peers = new Map();
  /** Newcomers whose first offer is awaited: peer → fallback timer. */
  #awaited = new Map();
  /** Local tracks sent to every peer: [{track, streams}]. */
  #tracks = [];
  #unsubscribe;

  /**
   * @param {SignalmanClient} client  a connected (or connecting) client
   * @param {string} room
   * @param {MeshOptions} [options]
   */
  constructor(client, room, options = {}) {
    super();
    this.#client = client;
    this.#room = room;
    this.#options = { channels: {}, rtcConfig: {}, answerWaitMs: 3000, ...options };
    this.#RTCPeerConnection = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    if (typeof this.#RTCPeerConnection !== 'function') throw new TypeError('no RTCPeerConnection in this environment');
    const offs = [
      client.on('peer-joined', (e) => { if (e.room === room) this.#arrived(e); }),
      client.on('peer-left', (e) => { if (e.room === room) this.#disconnect(e.peer, e.reason); }),
      client.on('signal', (e) => { if (e.room === room) this.#onSignal(e); }),
    ];
    this.#unsubscribe = () => offs.forEach((off) => off());
  }

  /** The room of this mesh. */
  get room() { return this.#room; }

  /** @returns {MeshPeer[]} the current connections */
  get peers() {
    return [...this.#peers.values()].map(({ peer, meta, pc, polite, channels }) => ({ peer, meta, pc, polite, channels }));
  }

  /**
   * Joins the room; a connection is made to each member, now and as others arrive.
   * @param {object} [meta]
   */
  join(meta = {}) {
    return this.#client.join(this.#room, meta);
  }

  /** Leaves the room and closes every connection. */
  async leave() {
    try {
      await this.#client.leave(this.#room);
    } finally {
      for (const peer of [...this.#peers.keys(), ...this.#awaited.keys()]) this.#disconnect(peer, 'you-left');
    }
  }

  /** Leaves nothing on the server but stops listening and closes every connection. */
  close() {
    this.#unsubscribe();
    for (const peer of [...this.#peers.keys(), ...this.#awaited.keys()]) this.#disconnect(peer, 'closed');
  }

  /**
   * Sends a local track to every peer, current and future.
   * @param {MediaStreamTrack} track
   * @param {...MediaStream} streams
   */
  addTrack(track, ...streams) {
    this.#tracks.push({ track, streams });
    for (const link of this.#peers.values()) link.senders.set(track, link.pc.addTrack(track, ...streams));
  }

  /**
   * Stops sending a track added with {@link addTrack} (the peers renegotiate).
   * @param {MediaStreamTrack} track
   */
  removeTrack(track) {
    this.#tracks = this.#tracks.filter((entry) => entry.track !== track);
    for (const link of this.#peers.values()) {
      const sender = link.senders.get(track);
      if (sender) link.pc.removeTrack(sender);
      link.senders.delete(track);
    }
  }

  /**
   * Sends `data` on the open data channel `label` of every peer.
   * @param {string} label
   * @param {string|ArrayBuffer|Blob|ArrayBufferView} data
   * @returns {number} how many peers it was sent to
   */
  send(label, data) {
    let sent = 0;
    for (const link of this.#peers.values()) {
      const channel = link.channels.get(label);
      if (channel?.readyState === 'open') {
        channel.send(data);
        sent += 1;
      }
    }
    return sent;
  }

  #arrived({ peer, meta, existing }) {
    if (existing) {
      this.#connect(peer, meta);
      return;
    }
    clearTimeout(this.#awaited.get(peer));
    this.#awaited.set(peer, setTimeout(() => this.#connect(peer, meta), this.#options.answerWaitMs));
  }

  #connect(peer, meta) {
    clearTimeout(this.#awaited.get(peer));
    this.#awaited.delete(peer);
    const existing = this.#peers.get(peer);
    if (existing) return existing;
    const rtcConfig = { ...this.#options.rtcConfig };
    rtcConfig.iceServers ??= this.#client.iceServers;
    const pc = new this.#RTCPeerConnection(rtcConfig);
    const link = {
      peer, meta, pc, polite: this.#client.peer < peer, channels: new Map(), senders: new Map(),
      queue: Promise.resolve(), makingOffer: false, ignoreOffer: false,
    };
    this.#peers.set(peer, link);

    pc.onnegotiationneeded = async () => {
      try {
        link.makingOffer = true;
        // Without arguments the browser creates the right description for the current state.
        await pc.setLocalDescription();
        this.#send(link, { description: pc.localDescription });
      } catch (error) {
        this.emit('error', { peer, error });
      } finally {
        link.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.#send(link, { candidate });
    };
    pc.oniceconnectionstatechange = () => {
      // A path that failed (a network change, a NAT that timed out) may come back with fresh candidates.
      if (pc.iceConnectionState === 'failed') pc.restartIce();
    };
    pc.onconnectionstatechange = () => this.emit('state', { peer, state: pc.connectionState });
    pc.ontrack = ({ track, streams }) => this.emit('track', { peer, track, streams });
    pc.ondatachannel = ({ channel }) => this.#bindChannel(link, channel);

    for (const { track, streams } of this.#tracks) link.senders.set(track, pc.addTrack(track, ...streams));
    Object.entries(this.#options.channels).forEach(([label, init], index) => {
      this.#bindChannel(link, pc.createDataChannel(label, { id: index, ...init, negotiated: true }));
    });
    this.emit('peer', { peer, meta, pc, polite: link.polite, channels: link.channels });
    this.emit('state', { peer, state: pc.connectionState });
    return link;
  }

  #disconnect(peer, reason) {
    clearTimeout(this.#awaited.get(peer));
    this.#awaited.delete(peer);
    const link = this.#peers.get(peer);
    if (!link) return;
    this.#peers.delete(peer);
    link.pc.close();
    this.emit('state', { peer, state: 'closed' });
    this.emit('peer-left', { peer, reason });
  }

  #bindChannel(link, channel) {
    link.channels.set(channel.label, channel);
    const opened = () => this.emit('channel', { peer: link.peer, label: channel.label, channel });
    if (channel.readyState === 'open') opened();
    else channel.addEventListener('open', opened);
    channel.addEventListener('message', (event) => {
      this.emit('message', { peer: link.peer, label: channel.label, data: event.data });
    });
  }

  #send(link, data) {
    this.#client.signal(link.peer, data, { room: this.#room }).catch((error) => {
      // The peer left or our session changed: its peer-left (or session-lost) closes the link.
      if (error.code === 'peer-unavailable' || error.code === 'disconnected' || error.code === 'closed') return;
      this.emit('error', { peer: link.peer, error });
    });
  }

  #onSignal({ from, data }) {
    if (!data || typeof data !== 'object' || !(data.description || data.candidate)) return;
    let link = this.#peers.get(from);
    if (!link) {
      // Usually a newcomer's first offer. Its presence came first (both were relayed by the
      // newcomer's connection, in order), so a sender that is no member has left already; a link
      // made for it would never close.
      const member = this.#client.members(this.#room).find((m) => m.peer === from);
      if (!member) return;
      link = this.#connect(from, member.meta);
    }
    // One signal at a time per peer: a candidate must not overtake the description it belongs to.
    link.queue = link.queue
      .then(() => this.#apply(link, data))
      .catch((error) => this.emit('error', { peer: from, error }));
  }

  async #apply(link, { description, candidate }) {
    const { pc } = link;
    if (pc.signalingState === 'closed') return;
    if (description) {
      // Our own offer is out (or being made) and theirs arrives: the offers crossed.
      const collision = description.type === 'offer' && (link.makingOffer || pc.signalingState !== 'stable');
      if (collision) this.emit('glare', { peer: link.peer, polite: link.polite });
      link.ignoreOffer = collision && !link.polite;
      if (link.ignoreOffer) return;
      // The polite side's setRemoteDescription rolls its own offer back implicitly.
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.#send(link, { description: pc.localDescription });
      }
    } else {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        // Candidates of an offer we ignored cannot apply; anything else is a real fault.
        if (!link.ignoreOffer) throw error;
      }
    }
  }
}
