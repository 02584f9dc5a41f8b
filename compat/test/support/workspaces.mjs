// A webRTCWorkspaces client for tests (seed 001, SEEDS.md §2): a socket.io-client 2.5.0 socket with
// the library's default transports (polling, then the upgrade to websocket) that queues every event
// the original client listens to, so tests can assert what each socket got, in order.
import { createRequire } from 'node:module';
import { within } from './within.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

/** Every event the server sends and the client library listens to (§2.4). */
export const EVENTS = ['iceservers', 'created', 'destroyed', 'attendance-granted', 're-attendance-granted', 'attend',
  'leave', 'kicked', 'ring', 'answer', 'busy', 'hangup', 'icecandidate', 'negotiation', 'mic-toggle', 'cam-toggle',
  'full', 'alert', 'attendees'];

/** The alerts of the original, word for word (typos included). */
export const ALERTS = {
  badWorkspaceId: 'Please provide a valid workspace ID.',
  badAttendeeId: 'Please provide a valid attendee ID.',
  badToken: 'Please provide a valid workspace token.',
  accessDenied: 'Invalid access token. Access is not allowed.',
  notOwner: 'Anauthorized operation. Abort.',
  badInvite: 'Please provide a valid workspace access token.',
  wrongPin: 'This workspace is protected with a PIN. Wrong PIN provided.',
  ownerCannotLeave: 'Workspace owner cannot leave. Only shutdown is allowed.',
  ownerCannotBeKicked: 'Workspace owner cannot be kicked out of workspace.',
};

/**
 * Connects like `io.connect(url)` of the browser library and resolves once connected.
 * `next(event)` resolves with the argument of the oldest event of that name not taken yet;
 * `silent(ms)` fails if any event arrived that no test took.
 */
export async function workspaceClient(url, { io = io2, options = {}, name = 'client' } = {}) {
  const socket = io(url, { forceNew: true, reconnection: false, timeout: 10000, ...options });
  const received = [];
  const waiters = [];
  for (const event of EVENTS) {
    socket.on(event, (arg) => {
      const i = waiters.findIndex((w) => w.event === event);
      if (i >= 0) waiters.splice(i, 1)[0].resolve(arg);
      else received.push({ event, arg });
    });
  }
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), 10000, `${name}: connect`);
  return {
    socket,
    name,
    emit: (...args) => socket.emit(...args),
    next(event, ms = 5000) {
      const i = received.findIndex((r) => r.event === event);
      if (i >= 0) return Promise.resolve(received.splice(i, 1)[0].arg);
      return within(new Promise((resolve) => waiters.push({ event, resolve })), ms, `${name}: ${event}`)
        .catch((e) => { const j = waiters.findIndex((w) => w.event === event); if (j >= 0) waiters.splice(j, 1); throw e; });
    },
    /** Emits and resolves with the reply `event`. */
    request(event, payload, reply, ms) {
      socket.emit(event, payload);
      return this.next(reply, ms);
    },
    async silent(ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      if (received.length) throw new Error(`${name} got unexpected ${JSON.stringify(received.splice(0))}`);
    },
    /** Everything received and not taken yet (and forgets it). */
    drain: () => received.splice(0),
    connected: () => socket.connected,
    transport: () => socket.io.engine.transport.name,
    close() { socket.close(); },
  };
}

/** Waits until the socket runs on websocket (default transports start on polling). */
export async function upgraded(client, ms = 10000) {
  const engine = client.socket.io.engine;
  if (engine.transport.name !== 'websocket') await within(new Promise((r) => engine.once('upgrade', r)), ms, `${client.name}: upgrade`);
}
