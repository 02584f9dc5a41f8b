// Seed 001 (workspaces, SEEDS.md §2): the compatibility scenario of §2.8 with socket.io-client
// 2.5.0 and the browser library's default transports (polling, then websocket), every event of
// §2.4 with the payloads webRTCWorkspaces.js sends, the exact alerts and their check order, tokens
// made by jsonwebtoken + bcryptjs (the original's token format), persistence across a restart,
// and malformed payloads that must leave the server and other sessions running.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { startServer } from './support/server.mjs';
import { workspaceClient, upgraded, ALERTS } from './support/workspaces.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');

const SECRET = 'compat-magick-token';
const SALT = 'compat-salt-string';
const ENV = { MAGICK_TOKEN: SECRET, SALT_STRING: SALT, DEVELOPMENT: 'false' };
// Socket.IO clients get no goaway: a stop would wait out the whole SIGTERM drain for those still open.
const ARGS = ['--listen', 'workspaces@127.0.0.1:0', '--ice-server', 'stun:stun.example.org:3478', '--drain-timeout-ms', '1000'];
const ID = /^_[0-9A-Za-z]{10}$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server;
let url;
const open = [];
before(async () => {
  server = await startServer(ARGS, { env: ENV });
  url = `http://127.0.0.1:${server.ports.workspaces}`;
});
after(async () => {
  for (const c of open) c.close();
  await server?.stop();
});

async function client(name, target = url, options) {
  const c = await workspaceClient(target, { name, options });
  open.push(c);
  return c;
}

/** The payloads of webRTCWorkspaces.js. */
const createPayload = (name, pin, owner, nonce = 'create-workspace::k3J9aQ2mZx') =>
  ({ workspace: { name, pin, avatar: '' }, attendee: { name: owner, avatar: '' }, nonce });
const attendPayload = (token, pin, name, nonce = 'attend-workspace::Zz81abcdef') =>
  ({ workspace: { token, pin }, attendee: { name, avatar: '' }, nonce });
const auth = (session) => ({ workspace: { id: session.workspace.id }, attendee: { id: session.attendee.id }, accessToken: session.accessToken });

/** Makes a workspace with `pin` owned by a new client; returns { owner, created }. */
async function newWorkspace(pin = '1234', target = url) {
  const owner = await client('owner', target);
  const created = await owner.request('create', createPayload('Demo', pin, 'Alice'), 'created');
  return { owner, created };
}

/** A new client that attends with the invitation; returns { c, granted }. */
async function attendee(invite, name, pin = '1234', target = url) {
  const c = await client(name, target);
  const granted = await c.request('attend', attendPayload(invite, pin, name), 'attendance-granted');
  return { c, granted };
}

describe('the §2.8 scenario, socket.io-client 2.5.0 with default transports', () => {
  test('every event, in order, with the exact payloads and alerts', { timeout: 60000 }, async () => {
    // 1. iceservers: the configured servers (no DEVELOPMENT, no Twilio)
    const alice = await client('alice');
    assert.equal(alice.transport(), 'polling', 'the library starts on polling');
    assert.deepEqual(await alice.request('iceservers', {}, 'iceservers'), [{ urls: ['stun:stun.example.org:3478'] }]);
    await upgraded(alice);

    // 2. create, with both JWTs in the original's format
    const created = await alice.request('create', createPayload('Demo', '1234', 'Alice'), 'created');
    assert.deepEqual(Object.keys(created), ['workspace', 'attendee', 'accessToken', 'nonce']);
    assert.deepEqual(Object.keys(created.workspace), ['id', 'name', 'avatar', 'owner', 'created', 'token']);
    const ws = created.workspace;
    const a = created.attendee;
    assert.match(ws.id, ID);
    assert.match(a.id, ID);
    assert.deepEqual(a, { id: a.id, name: 'Alice', avatar: '' });
    assert.deepEqual({ ...ws, created: 0, token: '' }, { id: ws.id, name: 'Demo', avatar: '', owner: a.id, created: 0, token: '' });
    assert.ok(Math.abs(ws.created - Date.now()) < 60000, 'created is Date.now() in ms');
    assert.equal(created.nonce, 'create-workspace::k3J9aQ2mZx');
    const invite = jwt.verify(ws.token, SECRET, { algorithms: ['HS256'] });
    assert.deepEqual(Object.keys(invite), ['id', 'singningToken', 'iat']);
    assert.equal(invite.id, ws.id);
    assert.match(invite.singningToken, /^\$2b\$10\$.{53}$/);
    assert.ok(bcrypt.compareSync(`${ws.id}:1234:${SALT}`, invite.singningToken));
    assert.ok(!bcrypt.compareSync(`${ws.id}:9999:${SALT}`, invite.singningToken));
    const access = jwt.verify(created.accessToken, SECRET, { algorithms: ['HS256'] });
    assert.deepEqual(Object.keys(access), ['id', 'owner', 'singningToken', 'iat']);
    assert.equal(access.owner, a.id);
    assert.ok(bcrypt.compareSync(`${ws.id}:${a.id}:${SALT}`, access.singningToken));
    const aliceSession = created;

    // 3. attend: wrong PIN, a missing token, then the right PIN
    const bob = await client('bob');
    assert.equal(await bob.request('attend', attendPayload(ws.token, '9999', 'Bob'), 'alert'), ALERTS.wrongPin);
    assert.equal(await bob.request('attend', attendPayload('', '1234', 'Bob'), 'alert'), ALERTS.badInvite);
    assert.equal(await bob.request('attend', attendPayload(42, '1234', 'Bob'), 'alert'), ALERTS.badInvite);
    assert.equal(await bob.request('attend', attendPayload('not.a.jwt', '1234', 'Bob'), 'alert'), ALERTS.wrongPin);
    const granted = await bob.request('attend', attendPayload(ws.token, '1234', 'Bob'), 'attendance-granted');
    assert.deepEqual(Object.keys(granted), ['workspace', 'attendee', 'attendees', 'accessToken', 'nonce']);
    assert.deepEqual(granted.workspace, { ...ws, call: null });
    assert.deepEqual(Object.keys(granted.workspace), ['id', 'name', 'avatar', 'owner', 'created', 'token', 'call']);
    const b = granted.attendee;
    assert.match(b.id, ID);
    assert.deepEqual(b, { id: b.id, name: 'Bob', avatar: '' });
    assert.deepEqual(granted.attendees, { [a.id]: a, [b.id]: b });
    assert.equal(granted.nonce, 'attend-workspace::Zz81abcdef');
    const bobAccess = jwt.verify(granted.accessToken, SECRET);
    assert.equal(bobAccess.owner, a.id);
    assert.ok(bcrypt.compareSync(`${ws.id}:${b.id}:${SALT}`, bobAccess.singningToken));
    assert.deepEqual(await alice.next('attend'), b);
    const bobSession = granted;

    // 4. fill to 4, the fifth is told `full`; an attendee without a name is anonymous
    const { c: carol, granted: carolSession } = await attendee(ws.token, 'Carol');
    const dave = await client('dave');
    const daveSession = await dave.request('attend', { workspace: { token: ws.token, pin: '1234' }, attendee: {} }, 'attendance-granted');
    assert.deepEqual(daveSession.attendee, { id: daveSession.attendee.id, name: 'Anonymous Attendee', avatar: '' });
    assert.equal(daveSession.nonce, '');
    assert.deepEqual(Object.keys(daveSession.attendees), [a.id, b.id, carolSession.attendee.id, daveSession.attendee.id]);
    for (const c of [alice, bob]) assert.deepEqual(await c.next('attend'), carolSession.attendee);
    for (const c of [alice, bob, carol]) assert.deepEqual(await c.next('attend'), daveSession.attendee);
    const eve = await client('eve');
    assert.deepEqual(await eve.request('attend', attendPayload(ws.token, '1234', 'Eve'), 'full'), {});
    // the owner is let in whatever the count
    // (attending as the owner's id is how the original let an owner back in)

    // 5. ring, answer, icecandidate, negotiation, busy, hangup, mic-toggle, cam-toggle
    const call = { id: 'call-1' };
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    alice.emit('ring', { ...auth(aliceSession), attendee: a, call, callee: { id: b.id }, offer, nonce: 'start-call:call-1:salt' });
    assert.deepEqual(await bob.next('ring'), { workspace: { id: ws.id }, caller: a, offer, call, nonce: 'start-call:call-1:salt' });
    const answer = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };
    // the library sends no nonce with an answer; the original still relayed `nonce: ""`
    bob.emit('answer', { workspace: { id: ws.id }, attendee: b, call, caller: { id: a.id }, answer, accessToken: bobSession.accessToken });
    const answered = await alice.next('answer');
    assert.deepEqual(answered, { workspace: { id: ws.id }, callee: b, answer, call, nonce: '' });
    assert.deepEqual(Object.keys(answered), ['workspace', 'callee', 'answer', 'call', 'nonce']);
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };
    alice.emit('icecandidate', { attendee: { id: b.id }, broadcaster: { id: a.id }, workspace: { id: ws.id }, accessToken: aliceSession.accessToken, candidate });
    assert.deepEqual(await bob.next('icecandidate'), { attendee: { id: b.id }, broadcaster: { id: a.id }, candidate });
    const message = { type: 'offer', data: offer };
    bob.emit('negotiation', { attendee: { id: a.id }, broadcaster: { id: b.id }, workspace: { id: ws.id }, accessToken: bobSession.accessToken, message });
    assert.deepEqual(await alice.next('negotiation'), { attendee: { id: b.id }, message });
    carol.emit('busy', { workspace: { id: ws.id }, attendee: carolSession.attendee, call, caller: { id: a.id }, accessToken: carolSession.accessToken, nonce: 'n' });
    for (const c of [alice, bob, dave]) {
      assert.deepEqual(await c.next('busy'), { workspace: { id: ws.id }, callee: carolSession.attendee, call }, c.name);
    }
    alice.emit('hangup', { workspace: { id: ws.id }, attendee: a, call, accessToken: aliceSession.accessToken });
    for (const c of [bob, carol, dave]) assert.deepEqual(await c.next('hangup'), { attendee: a, call }, c.name);
    for (const event of ['mic-toggle', 'cam-toggle']) {
      dave.emit(event, { workspace: { id: ws.id }, accessToken: daveSession.accessToken, attendee: { id: daveSession.attendee.id }, state: false });
      for (const c of [alice, bob, carol]) {
        assert.deepEqual(await c.next(event), { attendee: { id: daveSession.attendee.id }, state: false }, `${event} at ${c.name}`);
      }
    }
    for (const c of [alice, bob, carol, dave, eve]) await c.silent(100);

    // 6. leave: the owner may not; a member's attendee object reaches the others verbatim
    assert.equal(await alice.request('leave', { ...auth(aliceSession), attendee: a }, 'alert'), ALERTS.ownerCannotLeave);
    const carolAsSent = { ...carolSession.attendee, extra: { kept: [1, 'two'] } };
    carol.emit('leave', { workspace: { id: ws.id }, attendee: carolAsSent, accessToken: carolSession.accessToken });
    for (const c of [alice, bob, dave]) assert.deepEqual(await c.next('leave'), carolAsSent, c.name);

    // 7. kick: the owner cannot be kicked; everyone gets `kicked`, the kicked socket included
    assert.equal(await alice.request('kick', { ...auth(aliceSession), kickedAttendee: { id: a.id, name: 'Alice' } }, 'alert'),
      ALERTS.ownerCannotBeKicked);
    assert.equal(await bob.request('kick', { ...auth(bobSession), kickedAttendee: { id: daveSession.attendee.id } }, 'alert'),
      ALERTS.notOwner);
    const kicked = { id: daveSession.attendee.id, name: 'Anonymous Attendee' };
    alice.emit('kick', { ...auth(aliceSession), kickedAttendee: kicked });
    for (const c of [alice, bob, dave]) assert.deepEqual(await c.next('kicked'), kicked, c.name);
    // dave is out of the room but still connected: the room's events no longer reach him
    bob.emit('mic-toggle', { workspace: { id: ws.id }, accessToken: bobSession.accessToken, attendee: { id: b.id }, state: true });
    assert.deepEqual(await alice.next('mic-toggle'), { attendee: { id: b.id }, state: true });
    assert.equal(dave.connected(), true);
    // two places are free again (carol left, dave was kicked)
    const { c: erin, granted: erinSession } = await attendee(ws.token, 'Erin');
    assert.deepEqual(Object.keys(erinSession.attendees), [a.id, b.id, erinSession.attendee.id]);
    for (const c of [alice, bob]) assert.deepEqual(await c.next('attend'), erinSession.attendee);
    for (const c of [carol, dave, eve]) await c.silent(200);

    // ring with the workspace's `call` field sets ws.call, which re-attendance-granted shows
    alice.emit('ring', { workspace: { id: ws.id, call: { id: 'call-2' } }, attendee: a, accessToken: aliceSession.accessToken,
      call: { id: 'call-2' }, callee: { id: erinSession.attendee.id }, offer });
    assert.deepEqual((await erin.next('ring')).workspace, { id: ws.id, call: { id: 'call-2' } });

    // 8. re-attend after a disconnect: granted, and directed messages reach the NEW socket
    bob.close();
    await sleep(200);
    const bob2 = await client('bob2');
    const re = await bob2.request('re-attend', { workspace: granted.workspace, attendee: b, accessToken: bobSession.accessToken },
      're-attendance-granted');
    assert.deepEqual(Object.keys(re), ['workspace', 'attendee', 'attendees', 'accessToken', 'nonce', 'call']);
    assert.deepEqual(re.workspace, ws);
    const b2 = { ...b, socket: re.attendee.socket };
    assert.equal(typeof re.attendee.socket, 'string');
    assert.deepEqual(re.attendee, b2);
    assert.deepEqual(re.attendees, { [a.id]: a, [b.id]: b2, [erinSession.attendee.id]: erinSession.attendee });
    assert.equal(re.nonce, '');
    assert.deepEqual(re.call, { id: 'call-2' });
    assert.ok(bcrypt.compareSync(`${ws.id}:${b.id}:${SALT}`, jwt.verify(re.accessToken, SECRET).singningToken));
    for (const c of [alice, erin]) assert.deepEqual(await c.next('attend'), b2, c.name);
    alice.emit('ring', { ...auth(aliceSession), attendee: a, call, callee: { id: b.id }, offer, nonce: 'again' });
    assert.deepEqual(await bob2.next('ring'), { workspace: { id: ws.id }, caller: a, offer, call, nonce: 'again' });
    // after hangup ws.call is gone again
    alice.emit('hangup', { workspace: { id: ws.id }, attendee: a, call, accessToken: aliceSession.accessToken });
    for (const c of [bob2, erin]) await c.next('hangup');
    const re2 = await bob2.request('re-attend', { workspace: { id: ws.id }, attendee: { id: b.id }, accessToken: re.accessToken },
      're-attendance-granted');
    assert.equal(re2.call, null);
    // an attendee object without name or avatar gets the original's defaults
    assert.deepEqual(re2.attendee, { id: b.id, name: 'Anonymous Attendee', avatar: '', socket: re2.attendee.socket });
    for (const c of [alice, erin]) assert.deepEqual(await c.next('attend'), re2.attendee);

    // 9. destroy: only the owner; then everyone gets `destroyed`, others first
    assert.equal(await bob2.request('destroy', { workspace: { id: ws.id }, attendee: { id: b.id }, accessToken: re2.accessToken }, 'alert'),
      ALERTS.notOwner);
    alice.emit('destroy', auth(aliceSession));
    for (const c of [alice, bob2, erin]) assert.deepEqual(await c.next('destroyed'), {}, c.name);
    // the workspace is gone: events on it answer `destroyed`, the invitation finds nothing
    assert.deepEqual(await bob2.request('mic-toggle', { workspace: { id: ws.id }, accessToken: re2.accessToken, attendee: { id: b.id }, state: true }, 'destroyed'), {});
    assert.deepEqual(await eve.request('attend', attendPayload(ws.token, '1234', 'Eve'), 'destroyed'), {});
    for (const c of [alice, bob2, carol, dave, eve, erin]) await c.silent(200);
    for (const c of [alice, bob2, carol, dave, eve, erin]) c.close();
  });

  test('GET / is the "up and running" page; other paths are Express\'s 404', async () => {
    const res = await fetch(`${url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const page = await res.text();
    assert.match(page, /<title>webRTC Signaling Server<\/title>/);
    assert.match(page, /Your webRTCWorkspaces Signaling Server is up and running!/);
    assert.match(page, /Version: 1\.0\.1/);
    const logo = await fetch(`${url}/logo.svg`);
    assert.equal(logo.status, 200);
    assert.match(await logo.text(), /<svg/);
    const missing = await fetch(`${url}/x`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /<pre>Cannot GET \/x<\/pre>/);
  });
});

describe('tokens', () => {
  test('checkAccessToken\'s six checks, in the original\'s order', { timeout: 30000 }, async () => {
    const { owner, created } = await newWorkspace();
    const { c: guest, granted } = await attendee(created.workspace.token, 'Guest');
    await owner.next('attend');
    const ws = created.workspace.id;
    const a = created.attendee.id;
    const g = granted.attendee.id;
    const other = await newWorkspace();
    const sign = (claims) => jwt.sign(claims, SECRET);
    const hash = (text) => bcrypt.hashSync(text, 10);
    const cases = [
      // 1 and 2: ids that are not non-empty strings starting with "_"
      [{ workspace: { id: 'Wk' }, attendee: { id: a }, accessToken: created.accessToken }, ALERTS.badWorkspaceId],
      [{ workspace: { id: '' }, attendee: { id: 5 }, accessToken: 'x' }, ALERTS.badWorkspaceId],
      [{ workspace: {}, attendee: { id: a }, accessToken: created.accessToken }, ALERTS.badWorkspaceId],
      [{ workspace: { id: ws }, attendee: { id: 'x' }, accessToken: 'garbage' }, ALERTS.badAttendeeId],
      [{ workspace: { id: ws }, attendee: {}, accessToken: created.accessToken }, ALERTS.badAttendeeId],
      // 3: not a JWT of this secret
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: 'garbage' }, ALERTS.badToken],
      [{ workspace: { id: ws }, attendee: { id: a } }, ALERTS.badToken],
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: jwt.sign({ id: ws, owner: a, singningToken: hash(`${ws}:${a}:${SALT}`) }, 'other-secret') }, ALERTS.badToken],
      // 4: another workspace's token (checked before the hash, so even one without a hash)
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: other.created.accessToken }, ALERTS.accessDenied],
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: sign({ id: other.created.workspace.id, owner: a }) }, ALERTS.accessDenied],
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: sign({ owner: a }) }, ALERTS.accessDenied],
      // 3 again: the right workspace but no hash to compare (bcrypt threw in the original)
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: sign({ id: ws, owner: a }) }, ALERTS.badToken],
      // 5: the hash is another attendee's
      [{ workspace: { id: ws }, attendee: { id: a }, accessToken: granted.accessToken }, ALERTS.accessDenied],
      // 6: owner-only events from someone else
      [{ workspace: { id: ws }, attendee: { id: g }, accessToken: granted.accessToken }, ALERTS.notOwner],
    ];
    for (const [payload, alert] of cases) {
      assert.equal(await guest.request('destroy', payload, 'alert'), alert, JSON.stringify(payload));
    }
    await guest.silent(100);
    await owner.silent(100);
  });

  test('tokens made by jsonwebtoken + bcryptjs with the same secret and salt are accepted', { timeout: 30000 }, async () => {
    const { owner, created } = await newWorkspace('4321');
    const ws = created.workspace.id;
    const a = created.attendee.id;
    // an invitation made in Node for PIN 4321
    const invite = jwt.sign({ id: ws, singningToken: bcrypt.hashSync(`${ws}:4321:${SALT}`, 10) }, SECRET);
    const { c: guest, granted } = await attendee(invite, 'Guest', '4321');
    assert.equal(granted.workspace.id, ws);
    await owner.next('attend');
    assert.equal(await (await client('x')).request('attend', attendPayload(invite, '1234', 'X'), 'alert'), ALERTS.wrongPin);
    // an owner's access token made in Node works for owner-only events
    const access = jwt.sign({ id: ws, owner: a, singningToken: bcrypt.hashSync(`${ws}:${a}:${SALT}`, 10) }, SECRET);
    owner.emit('cam-toggle', { workspace: { id: ws }, accessToken: access, attendee: { id: a }, state: true });
    assert.deepEqual(await guest.next('cam-toggle'), { attendee: { id: a }, state: true });
    owner.emit('destroy', { workspace: { id: ws }, attendee: { id: a }, accessToken: access });
    assert.deepEqual(await guest.next('destroyed'), {});
    assert.deepEqual(await owner.next('destroyed'), {});
  });
});

describe('create', () => {
  test('a supplied id is used as is, but never takes a live workspace from its owner', { timeout: 30000 }, async () => {
    const mine = `_mine${Date.now()}`;
    const owner = await client('owner');
    const created = await owner.request('create', { ...createPayload('Mine', '', 'Owner'), workspace: { id: mine, name: 'Mine' } }, 'created');
    assert.equal(created.workspace.id, mine);
    const thief = await client('thief');
    const stolen = await thief.request('create', { workspace: { id: mine, name: 'Taken', pin: '' }, attendee: { name: 'Mallory' } }, 'created');
    assert.notEqual(stolen.workspace.id, mine);
    assert.match(stolen.workspace.id, ID);
    // the first workspace is unchanged: its invitation, owner and name still hold
    const { granted } = await attendee(created.workspace.token, 'Guest', '');
    assert.equal(granted.workspace.id, mine);
    assert.equal(granted.workspace.name, 'Mine');
    assert.equal(granted.workspace.owner, created.attendee.id);
    assert.deepEqual((await owner.next('attend')).name, 'Guest');
    await thief.silent(100);
  });
});

describe('persistence', () => {
  test('after a restart with --workspaces-storage-file the workspace and its tokens are valid', { timeout: 60000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-workspaces-'));
    const file = path.join(dir, 'workspaces.json');
    const args = [...ARGS, '--workspaces-storage-file', file];
    let first = await startServer(args, { env: ENV });
    let second;
    try {
      const firstUrl = `http://127.0.0.1:${first.ports.workspaces}`;
      const { owner, created } = await newWorkspace('2468', firstUrl);
      const { c: guest, granted } = await attendee(created.workspace.token, 'Guest', '2468', firstUrl);
      const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
      const ws = created.workspace.id;
      assert.deepEqual(Object.keys(stored), [ws]);
      // the original's format: the workspace as created, plus attendees and socketMap
      assert.deepEqual(Object.keys(stored[ws]), ['id', 'name', 'avatar', 'owner', 'created', 'token', 'attendees', 'socketMap']);
      assert.deepEqual(stored[ws].socketMap[granted.attendee.id], guest.socket.id);
      assert.equal(stored[ws].token, created.workspace.token);
      assert.deepEqual(Object.keys(stored[ws].attendees), [created.attendee.id, granted.attendee.id]);
      owner.close();
      guest.close();
      await first.stop();

      second = await startServer(args, { env: ENV });
      const secondUrl = `http://127.0.0.1:${second.ports.workspaces}`;
      const owner2 = await client('owner2', secondUrl);
      const re = await owner2.request('re-attend', { workspace: created.workspace, attendee: created.attendee, accessToken: created.accessToken },
        're-attendance-granted');
      assert.deepEqual(re.workspace, created.workspace);
      assert.deepEqual(Object.keys(re.attendees), [created.attendee.id, granted.attendee.id]);
      const guest2 = await client('guest2', secondUrl);
      await guest2.request('re-attend', { workspace: { id: ws }, attendee: granted.attendee, accessToken: granted.accessToken }, 're-attendance-granted');
      await owner2.next('attend');
      // the invitation still admits with its PIN, and still refuses a wrong one
      const { granted: third } = await attendee(created.workspace.token, 'Third', '2468', secondUrl);
      assert.equal(third.workspace.id, ws);
      assert.equal(await (await client('x', secondUrl)).request('attend', attendPayload(created.workspace.token, '1', 'X'), 'alert'), ALERTS.wrongPin);
      owner2.emit('destroy', { workspace: { id: ws }, attendee: { id: created.attendee.id }, accessToken: created.accessToken });
      assert.deepEqual(await owner2.next('destroyed'), {});
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), {});
    } finally {
      await first.stop();
      await second?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a storage file in the original\'s format, with Node-made tokens, loads', { timeout: 60000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-workspaces-'));
    const file = path.join(dir, 'workspaces.json');
    const ws = '_NodeMade01';
    const owner = '_OwnerNode1';
    const token = jwt.sign({ id: ws, singningToken: bcrypt.hashSync(`${ws}:1357:${SALT}`, 10) }, SECRET);
    const accessToken = jwt.sign({ id: ws, owner, singningToken: bcrypt.hashSync(`${ws}:${owner}:${SALT}`, 10) }, SECRET);
    const ownerAttendee = { id: owner, name: 'Node Owner', avatar: '' };
    const workspace = { id: ws, name: 'From Node', avatar: '', owner, created: 1700000000000, token };
    fs.writeFileSync(file, JSON.stringify({ [ws]: { ...workspace, attendees: { [owner]: ownerAttendee }, socketMap: { [owner]: 'oldsocketid' } } }));
    const node = await startServer([...ARGS, '--workspaces-storage-file', file], { env: ENV });
    try {
      const target = `http://127.0.0.1:${node.ports.workspaces}`;
      const c = await client('owner', target);
      const re = await c.request('re-attend', { workspace, attendee: ownerAttendee, accessToken }, 're-attendance-granted');
      assert.deepEqual(re.workspace, workspace);
      const { granted } = await attendee(token, 'Guest', '1357', target);
      assert.equal(granted.workspace.name, 'From Node');
      assert.deepEqual(await c.next('attend'), granted.attendee);
    } finally {
      await node.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed payloads', () => {
  const EVENT_NAMES = ['iceservers', 'attendees', 'create', 'destroy', 'attend', 're-attend', 'leave', 'kick', 'ring', 'answer',
    'busy', 'hangup', 'icecandidate', 'negotiation', 'mic-toggle', 'cam-toggle'];

  test('for every event: no crash, no workspace made, other sessions carry on', { timeout: 60000 }, async () => {
    const { owner, created } = await newWorkspace();
    const { c: guest, granted } = await attendee(created.workspace.token, 'Guest');
    await owner.next('attend');
    const ws = created.workspace.id;
    const a = created.attendee.id;
    const g = granted.attendee.id;
    const mallory = await client('mallory');
    // an attendee id that is in no workspace: icecandidate and negotiation need no token, and
    // would reach a real attendee
    const nobody = '_nobody0000';
    const payloads = [undefined, null, 0, 1, true, '', 'text', [], [1, 2], {}, { workspace: null }, { workspace: 5 },
      { workspace: 'x', attendee: 'y' }, { workspace: [] }, { workspace: {}, attendee: {} }, { workspace: { id: null } },
      { workspace: { id: ws }, attendee: null }, { workspace: { id: ws }, attendee: { id: nobody } },
      { workspace: { id: ws }, attendee: { id: nobody }, accessToken: null }, { workspace: { id: ws, token: null }, attendee: null },
      { workspace: { token: created.workspace.token, pin: '1234' } }, { workspace: { token: created.workspace.token, pin: '1234' }, attendee: null },
      { workspace: { id: ws }, attendee: { id: {} }, accessToken: 7 }, { workspace: { id: { $ne: 1 } } },
      { workspace: { id: ws }, attendee: { id: nobody }, accessToken: created.accessToken.split('.').slice(0, 2).join('.') + '.' },
      { attendee: { id: g }, broadcaster: { id: a }, candidate: {} }, { attendee: { id: g }, workspace: null, message: {} },
      { workspace: { id: 'x'.repeat(10000) }, attendee: { id: '_'.repeat(10000) }, accessToken: 'y'.repeat(10000) },
      JSON.parse('{"workspace":{"__proto__":{"id":"_x"}},"attendee":{"constructor":{"prototype":{}}}}')];
    const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
    for (const event of EVENT_NAMES) {
      for (const payload of payloads) {
        // with both objects present, create is well-formed and makes a workspace, as it should
        if (event === 'create' && isObject(payload?.workspace) && isObject(payload?.attendee)) continue;
        mallory.emit(event, payload);
      }
      mallory.emit(event);
      mallory.emit(event, {}, 'extra', 3);
      // About 33 events per name: pausing keeps mallory within the node's default event rate (100/s,
      // burst 200), which would otherwise drop and then disconnect it; this test is about payloads.
      await sleep(400);
    }
    // the owner's token with events that lack what they act on
    owner.emit('kick', { workspace: { id: ws }, attendee: { id: a }, accessToken: created.accessToken });
    owner.emit('kick', { workspace: { id: ws }, attendee: { id: a }, accessToken: created.accessToken, kickedAttendee: null });
    owner.emit('ring', { workspace: { id: ws }, attendee: { id: a }, accessToken: created.accessToken });
    owner.emit('answer', { workspace: { id: ws }, attendee: { id: a }, accessToken: created.accessToken, caller: null });
    owner.emit('icecandidate', { attendee: { id: g }, broadcaster: { id: a }, candidate: { candidate: '' } });
    owner.emit('negotiation', { attendee: { id: g }, broadcaster: { id: a }, workspace: null, message: {} });
    await sleep(1500);

    const got = mallory.drain();
    const kinds = new Set(got.map((r) => r.event));
    // mallory was answered with alerts, `destroyed` for unknown workspaces, the ICE servers and `full`
    // at most; nothing was created for it or let it in
    for (const kind of kinds) assert.ok(['alert', 'destroyed', 'iceservers', 'full'].includes(kind), `mallory got ${kind}`);
    for (const r of got.filter((x) => x.event === 'alert')) assert.ok(Object.values(ALERTS).includes(r.arg), r.arg);
    assert.equal(mallory.connected(), true);
    // nothing reached the workspace's members, and the owner's incomplete events did nothing
    // (in particular no `kicked`, and no `destroyed` for events without a workspace)
    await owner.silent(0);
    await guest.silent(0);

    // the workspace still works, end to end
    owner.emit('ring', { workspace: { id: ws }, attendee: created.attendee, accessToken: created.accessToken, call: { id: 'c' }, callee: { id: g }, offer: { type: 'offer', sdp: 'v=0' } });
    assert.equal((await guest.next('ring')).caller.id, a);
    guest.emit('answer', { workspace: { id: ws }, attendee: granted.attendee, call: { id: 'c' }, caller: { id: a }, answer: { type: 'answer', sdp: 'v=0' }, accessToken: granted.accessToken });
    assert.equal((await owner.next('answer')).callee.id, g);
    // and new sessions are served
    const late = await newWorkspace();
    assert.match(late.created.workspace.id, ID);
    assert.equal(server.alive(), true);
  });

  test('create and attend without a workspace or an attendee make nothing', async () => {
    const { owner, created } = await newWorkspace();
    const c = await client('c');
    for (const payload of [{ workspace: { name: 'W' } }, { attendee: { name: 'A' } }, { workspace: null, attendee: {} },
      { workspace: {}, attendee: null }]) {
      c.emit('create', payload);
    }
    for (const payload of [{ workspace: { token: created.workspace.token, pin: '1234' } },
      { workspace: { token: created.workspace.token, pin: '1234' }, attendee: null }, { attendee: { name: 'A' } }]) {
      c.emit('attend', payload);
    }
    await c.silent(1000);
    await owner.silent(0);
  });

  test('the log stays quiet: no errors, no stack traces, nothing about unknown events', async () => {
    // the library emits `attendees` on start-up; the original had no handler for it. A client
    // that closes while polling leaves a last poll behind, which netty-socketio reported as an ERROR.
    for (const transports of [['polling'], ['websocket'], undefined]) {
      const c = await workspaceClient(url, { name: 'c', options: transports ? { transports } : {} });
      c.emit('attendees', { workspace: { id: '_x' }, attendee: { id: '_y' }, accessToken: 'z' });
      c.emit('no-such-event', { a: 1 });
      assert.ok(Array.isArray(await c.request('iceservers', {}, 'iceservers')));
      await c.silent(100);
      c.close();
    }
    await sleep(500);
    const logs = server.logs();
    assert.doesNotMatch(logs, /\bERROR\b/);
    assert.doesNotMatch(logs, /Exception|\n\s+at [\w.$]+\(/);
    assert.doesNotMatch(logs, /workspaces event from .* failed/);
  });
});

describe('Socket.IO limits', () => {
  test('no permessage-deflate: a small compressed frame cannot carry more than --max-frame-bytes', async () => {
    const port = server.ports.workspaces;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=3&transport=websocket`, { perMessageDeflate: true });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    assert.equal(ws.extensions, '', 'the server must not accept permessage-deflate');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    const huge = { workspace: { name: 'x'.repeat(2 * 1024 * 1024) }, attendee: {} };
    const created = [];
    ws.on('message', (m) => { if (String(m).startsWith('42["created"')) created.push(m); });
    ws.send(`42${JSON.stringify(['create', huge])}`);
    await closed;
    assert.deepEqual(created, []);
    // the others carry on
    const { created: fine } = await newWorkspace();
    assert.match(fine.workspace.id, ID);
  });

  test('no HTTP compression on polling', async () => {
    const res = await fetch(`http://127.0.0.1:${server.ports.workspaces}/socket.io/?EIO=3&transport=polling&b64=1`,
      { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), null);
    assert.match(await res.text(), /^\d+:0\{"sid":"[^"]+","upgrades":\["websocket"\],"pingInterval":25000,"pingTimeout":12000/);
  });
});

describe('configuration', () => {
  const jar = process.env.SIGNALMAN_JAR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server/target/signalman.jar');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !['MAGICK_TOKEN', 'SALT_STRING', 'DEVELOPMENT', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'PORT'].includes(k)));

  test('outside development the server refuses to start without MAGICK_TOKEN and SALT_STRING', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-noenv-'));
    try {
      const run = spawnSync('java', ['-jar', jar, '--host', '127.0.0.1', '--port', '0', '--listen', 'workspaces@127.0.0.1:0'],
        { cwd: dir, env: { ...clean, MAGICK_TOKEN: 'only-the-secret' }, encoding: 'utf8', timeout: 30000 });
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /MAGICK_TOKEN and SALT_STRING/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('DEVELOPMENT=true: the development STUN list with the legacy `url` key, from the .env keys', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-dev-'));
    fs.writeFileSync(path.join(dir, '.env'), 'DEVELOPMENT=true\n');
    const dev = await startServer(['--listen', 'workspaces@127.0.0.1:0', '--drain-timeout-ms', '1000'], { env: clean, cwd: dir });
    try {
      const c = await client('dev', `http://127.0.0.1:${dev.ports.workspaces}`);
      // no payload at all, as iceservers' payload was ignored by the original
      c.emit('iceservers');
      assert.deepEqual(await c.next('iceservers'), [0, 1, 2, 3, 4].map((i) => ({ url: `stun:stun${i ? i : ''}.l.google.com:19302` })));
      c.close(); // else SIGTERM's drain waits its whole timeout for this client
    } finally {
      await dev.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('Signalman stayed up', () => {
  assert.equal(server.alive(), true);
});
