// The Socket.IO transport matrix the star and workspaces dialects are held to: every client
// generation, websocket-only and the default transports (polling, then the upgrade), at both paths;
// and one connection's life through it, with the dialect's own exchange in the middle.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { io as io4 } from 'socket.io-client';
import { within } from './within.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

export const socketIoClients = [
  { name: 'socket.io-client 4.8.4', io: io4 },
  { name: 'socket.io-client 2.5.0', io: io2 },
];
export const socketIoTransports = [
  { name: 'websocket only', options: { transports: ['websocket'] }, upgrade: false },
  { name: 'default transports (polling, then upgrade)', options: {}, upgrade: true },
];
export const socketIoPaths = ['/socket.io/', '/socket.io-next/'];

/**
 * One connection's life: connect, upgrade to websocket where the transport starts with polling,
 * `exchange(socket, tag)` (the dialect's events), disconnect. Any error, timeout or unexpected
 * disconnect fails it.
 */
export async function lifecycle(client, transport, port, path, tag, exchange) {
  const socket = client.io(`http://127.0.0.1:${port}`, {
    ...transport.options, path, forceNew: true, reconnection: false, timeout: 10000,
  });
  const engine = socket.io.engine;
  const problems = [];
  socket.on('connect_error', (e) => problems.push(`connect_error: ${e.message}`));
  socket.on('error', (e) => problems.push(`error: ${e?.message ?? e}`));
  engine.on('upgradeError', (e) => problems.push(`upgradeError: ${e.message}`));
  let expectedDisconnect = false;
  socket.on('disconnect', (reason) => { if (!expectedDisconnect) problems.push(`disconnect: ${reason}`); });
  try {
    await within(new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    }), 10000, `${tag}: connect`);
    if (transport.upgrade && engine.transport.name !== 'websocket') {
      await within(new Promise((resolve) => engine.once('upgrade', resolve)), 10000, `${tag}: upgrade to websocket`);
    }
    assert.equal(engine.transport.name, 'websocket', `${tag}: transport`);
    await exchange(socket, tag);
    expectedDisconnect = true;
    const gone = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.disconnect();
    assert.equal(await within(gone, 2000, `${tag}: disconnect`), 'io client disconnect');
    assert.deepEqual(problems, [], `${tag}: problems`);
  } finally {
    socket.close();
  }
}

/** `count` lifecycles in a row (`run(tag)`), labelled `label-i`; fails listing every one that failed. */
export async function consecutive(count, label, run) {
  const failures = [];
  for (let i = 0; i < count; i++) {
    try {
      await run(`${label}-${i}`);
    } catch (e) {
      failures.push(`#${i}: ${e.message}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${count} connections failed`);
}
