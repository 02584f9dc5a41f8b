// Seed 002 (pair, SEEDS.md §3): Signalman must answer the Android VideoCore client exactly as the
// original Express + ws server did. The original re-serializes everything it sends with
// JSON.stringify, so expected frames are built here with JSON.stringify from the same objects the
// original builds (key order included) and compared as text.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';
import { videoCore } from './support/videocore.mjs';
import { ndcPeer } from './support/ndc-runner.mjs';

let server;
let base; // ws://127.0.0.1:<pair listener>
const sockets = new Set();
let unique = 0;

before(async () => {
  server = await startServer(['--listen', 'pair@127.0.0.1:0']);
  base = `ws://127.0.0.1:${server.ports.pair}`;
});

afterEach(() => {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
});

after(async () => {
  await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function open(path = '/', origin = base) {
  const ws = await connect(origin + path);
  sockets.add(ws);
  return ws;
}

/** A user name no other test uses, so that rooms never collide. */
const user = (name) => `${name}${++unique}`;

// ---- What the original server sends --------------------------------------------------------
const roomName = (a, b) => { const s = [a, b].sort(); return `room_${s[0]}_${s[1]}`; };
const out = {
  created: (room) => JSON.stringify({ type: 'created', room }),
  joined: (room) => JSON.stringify({ type: 'joined', room }),
  ready: (room) => JSON.stringify({ type: 'ready', room }),
  roomInfo: (room, users) => JSON.stringify({
    type: 'roomInfo', room, users: users.map(([id, userId]) => ({ id, userId })), userCount: users.length,
  }),
  /** The relay of a client `message` frame, as the original rebuilds it from the parsed frame. */
  message: (frame, from) => JSON.stringify({ type: 'message', data: JSON.parse(frame).data, from }),
  /** The relay of a client `candidate` frame. */
  candidate: (frame, from) => JSON.stringify({
    type: 'message', data: { type: 'candidate', candidate: JSON.parse(frame).candidate }, from,
  }),
  bye: (id, userId) => JSON.stringify({ type: 'bye', id, userId }),
  error: (message) => JSON.stringify({ type: 'error', message }),
};
const MISSING = 'Missing required parameters: userId and remoteId are required';
const SELF = 'User cannot connect to themselves';
const REPLACED = 'You have been disconnected due to a new connection from your account';

async function expectFrames(ws, expected, label = '') {
  for (let i = 0; i < expected.length; i++) {
    const got = await ws.next(3000).catch((e) => { throw new Error(`${label} frame ${i}: expected ${expected[i]}, but ${e.message}`); });
    assert.equal(got, expected[i], `${label} frame ${i}`);
  }
}

/** Reads a roomInfo, checks its shape and returns the connection ids it lists. */
async function roomInfoIds(ws, room, userIds) {
  const text = await ws.next(3000);
  const parsed = JSON.parse(text);
  assert.equal(parsed.type, 'roomInfo', text);
  const ids = parsed.users.map((u) => u.id);
  for (const id of ids) assert.match(id, /^\d{13}$/, `connection id ${id} is Date.now() as a string`);
  assert.equal(text, out.roomInfo(room, ids.map((id, i) => [id, userIds[i]])));
  return ids;
}

/** Two sockets in one room after the full join handshake; returns their connection ids. */
async function pairUp(a, b, ua, ub) {
  const room = roomName(ua, ub);
  a.send(videoCore.join(ua, ub));
  assert.equal(await a.next(), out.created(room));
  const [idA] = await roomInfoIds(a, room, [ua]);
  b.send(videoCore.join(ub, ua));
  assert.equal(await b.next(), out.joined(room));
  const [, idB] = await roomInfoIds(b, room, [ua, ub]);
  await expectFrames(a, [out.ready(room), out.roomInfo(room, [[idA, ua], [idB, ub]])], 'initiator');
  return { room, idA, idB };
}

// ---- §3.9 and §3.11 ------------------------------------------------------------------------

test('§3.9 captured transcript, frame for frame', async () => {
  const A = await open();
  const B = await open();
  A.send('{"type":"join","userId":"alice","remoteId":"bob"}');
  assert.equal(await A.next(), '{"type":"created","room":"room_alice_bob"}');
  const [idA] = await roomInfoIds(A, 'room_alice_bob', ['alice']);
  B.send('{"type":"join","userId":"bob","remoteId":"alice"}');
  assert.equal(await B.next(), '{"type":"joined","room":"room_alice_bob"}');
  const [, idB] = await roomInfoIds(B, 'room_alice_bob', ['alice', 'bob']);
  const info2 = `{"type":"roomInfo","room":"room_alice_bob","users":[{"id":"${idA}","userId":"alice"},{"id":"${idB}","userId":"bob"}],"userCount":2}`;
  await expectFrames(A, ['{"type":"ready","room":"room_alice_bob"}', info2], 'A');

  A.send('{"type":"message","data":{"type":"offer","sdp":"v=0"}}');
  assert.equal(await B.next(), '{"type":"message","data":{"type":"offer","sdp":"v=0"},"from":"alice"}');
  B.send('{"type":"candidate","candidate":{"candidate":"candidate:1 1 UDP 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}}');
  assert.equal(await A.next(),
    '{"type":"message","data":{"type":"candidate","candidate":{"candidate":"candidate:1 1 UDP 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}},"from":"bob"}');

  // bye: the peer hears bye twice and a roomInfo; the sender hears nothing.
  B.send('{"type":"bye","userId":"bob","remoteId":"alice"}');
  const byeB = `{"type":"bye","id":"${idB}","userId":"bob"}`;
  const info1 = `{"type":"roomInfo","room":"room_alice_bob","users":[{"id":"${idA}","userId":"alice"}],"userCount":1}`;
  await expectFrames(A, [byeB, byeB, info1], 'A after bye');
  await B.silent(200);
  // The original keeps ws.room after bye: the sender's messages still reach the room.
  B.send('{"type":"message","data":{"type":"answer","sdp":"v=0"}}');
  assert.equal(await A.next(), '{"type":"message","data":{"type":"answer","sdp":"v=0"},"from":"bob"}');
  // ... and its close sends a third bye plus another roomInfo.
  B.close(1000, 'User ended call');
  await B.closed();
  await expectFrames(A, [byeB, info1], 'A after close');
  await A.silent(200);
});

test('VideoCore call with the exact Android frames (org.json escapes "/" as "\\/"); endCall = bye + close(1000)', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  const { room, idA, idB } = await pairUp(A, B, ua, ub);
  const offerSdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n'
    + 'a=extmap-allow-mixed\r\na=msid-semantic: WMS ARDAMS\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n'
    + 'a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Yx7p\r\na=ice-pwd:Tq6G+0mI/0l2m3xWcFwqY8Wq\r\na=ice-options:trickle renomination\r\n'
    + 'a=fingerprint:sha-256 8B:5C:4E:7A:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:12:34:56:78:9A:BC:DE:F0:11:22:33:44\r\n'
    + 'a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=msid:ARDAMS ARDAMSv0\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n'
    + 'a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n'
    + 'a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n';
  const answerSdp = offerSdp.replace('a=setup:actpass', 'a=setup:active').replace('4611731400430051336', '8023958262617710012');
  const cand = 'candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 192.168.1.2 rport 54321 generation 0 ufrag Yx7p network-id 3 network-cost 10';

  const offer = videoCore.offer(offerSdp);
  assert.ok(offer.includes('UDP\\/TLS\\/RTP\\/SAVPF'), 'the replayed frame escapes "/" as org.json does');
  A.send(offer);
  assert.equal(await B.next(), out.message(offer, ua));
  const answer = videoCore.answer(answerSdp);
  B.send(answer);
  assert.equal(await A.next(), out.message(answer, ub));
  const candA = videoCore.candidate('0', 0, cand);
  const candB = videoCore.candidate('1', 1, cand.replace('203.0.113.7', '198.51.100.9'));
  A.send(candA);
  B.send(candB);
  assert.equal(await B.next(), out.message(candA, ua));
  assert.equal(await A.next(), out.message(candB, ub));

  // endCall(): bye, then close(1000, "User ended call") right away.
  B.send(videoCore.bye(ub, ua));
  B.close(1000, 'User ended call');
  const info1 = out.roomInfo(room, [[idA, ua]]);
  await expectFrames(A, [out.bye(idB, ub), out.bye(idB, ub), info1, out.bye(idB, ub), info1], 'A');
  assert.equal((await B.closed()).code, 1000);
  await A.silent(200);
});

test('messages before join are ignored; the socket can still join afterwards', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await pairUp(A, B, ua, ub);
  const C = await open();
  C.send(videoCore.offer('v=0'));
  C.send('{"type":"candidate","candidate":{"candidate":"candidate:1 1 UDP 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}}');
  C.send(videoCore.bye(ua, ub));
  C.send('{"type":"message"}');
  await Promise.all([A.silent(300), B.silent(0), C.silent(0)]);
  const uc = user('carol'), ud = user('dave');
  C.send(videoCore.join(uc, ud));
  assert.equal(await C.next(), out.created(roomName(uc, ud)));
  await roomInfoIds(C, roomName(uc, ud), [uc]);
  A.send(videoCore.offer('v=0'));
  assert.equal(await B.next(), out.message(videoCore.offer('v=0'), ua));
  await C.silent(200);
});

test('missing parameters: error for every falsy userId/remoteId, and the socket stays open', async () => {
  const C = await open();
  const frames = [
    '{"type":"join"}',
    '{"type":"join","remoteId":"bob"}',
    '{"type":"join","userId":"alice"}',
    '{"type":"join","userId":"","remoteId":"bob"}',
    '{"type":"join","userId":"alice","remoteId":""}',
    '{"type":"join","userId":0,"remoteId":"bob"}',
    '{"type":"join","userId":"alice","remoteId":false}',
    '{"type":"join","userId":null,"remoteId":null}',
  ];
  for (const frame of frames) {
    C.send(frame);
    assert.equal(await C.next(), out.error(MISSING), frame);
  }
  assert.equal(C.closeInfo, null, 'still open');
  // Not in any room: a message is still ignored; a valid join works.
  C.send(videoCore.offer('v=0'));
  const uc = user('carol'), ud = user('dave');
  C.send(videoCore.join(uc, ud));
  assert.equal(await C.next(), out.created(roomName(uc, ud)));
});

test('self-call: error, then close without a status code (1005); "5" and 5 are not the same user', async () => {
  const C = await open();
  const me = user('carol');
  C.send(videoCore.join(me, me));
  assert.equal(await C.next(), out.error(SELF));
  const info = await C.closed();
  assert.equal(info.code, 1005);
  assert.ok(server.alive());

  const D = await open();
  D.send('{"type":"join","userId":5,"remoteId":"5"}');
  assert.equal(await D.next(), out.created('room_5_5'));
  const text = await D.next();
  const id = JSON.parse(text).users[0].id;
  assert.equal(text, `{"type":"roomInfo","room":"room_5_5","users":[{"id":"${id}","userId":5}],"userCount":1}`);
});

test('room names follow JavaScript sort(): numbers compare as strings, values keep their JSON type', async () => {
  const A = await open();
  const B = await open();
  A.send('{"type":"join","userId":10,"remoteId":9}');
  assert.equal(await A.next(), '{"type":"created","room":"room_10_9"}');
  const [idA] = await roomInfoIds(A, 'room_10_9', [10]);
  B.send('{"type":"join","userId":9,"remoteId":10}');
  assert.equal(await B.next(), '{"type":"joined","room":"room_10_9"}');
  const [, idB] = await roomInfoIds(B, 'room_10_9', [10, 9]);
  await expectFrames(A, ['{"type":"ready","room":"room_10_9"}', out.roomInfo('room_10_9', [[idA, 10], [idB, 9]])]);
  A.send('{"type":"message","data":{"type":"offer","sdp":"v=0"}}');
  assert.equal(await B.next(), '{"type":"message","data":{"type":"offer","sdp":"v=0"},"from":10}');

  // String(value) of other JSON values: an array joins with ",", an object is "[object Object]".
  const C = await open();
  C.send('{"type":"join","userId":{"k":1},"remoteId":[1,2]}');
  assert.equal(await C.next(), out.created('room_1,2_[object Object]'));
  const text = await C.next();
  const id = JSON.parse(text).users[0].id;
  assert.equal(text, `{"type":"roomInfo","room":"room_1,2_[object Object]","users":[{"id":"${id}","userId":{"k":1}}],"userCount":1}`);
});

test('connection id is Date.now() taken at join (§3.5: the socket records "a new id" when it joins)', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await sleep(250); // both sockets have been open a while before they join, B first
  const before = Date.now();
  B.send(videoCore.join(ub, ua));
  assert.equal(await B.next(), out.created(roomName(ua, ub)));
  const [idB] = await roomInfoIds(B, roomName(ua, ub), [ub]);
  const afterJoin = Date.now();
  assert.ok(Number(idB) >= before - 20 && Number(idB) <= afterJoin + 20,
    `id ${idB} should be the join time (between ${before} and ${afterJoin}), not the connect time`);
  A.send(videoCore.join(ua, ub));
  assert.equal(await A.next(), out.joined(roomName(ua, ub)));
  const [, idA] = await roomInfoIds(A, roomName(ua, ub), [ub, ua]);
  assert.ok(BigInt(idA) > BigInt(idB), `ids increase in join order: ${idB} (joined first) then ${idA}`);
});

test('duplicate userId: old socket gets the error and 1005; new one joins; bye with the OLD id after the close', async () => {
  const ua = user('alice'), ub = user('bob');
  const A1 = await open();
  const B = await open();
  const { room, idA: oldId, idB } = await pairUp(A1, B, ua, ub);

  const A2 = await open();
  A2.send(videoCore.join(ua, ub));
  assert.equal(await A1.next(), out.error(REPLACED));
  assert.equal((await A1.closed()).code, 1005);
  assert.equal(await A2.next(), out.joined(room));
  const [, newId] = await roomInfoIds(A2, room, [ub, ua]);
  assert.notEqual(newId, oldId);
  const both = out.roomInfo(room, [[idB, ub], [newId, ua]]);
  await expectFrames(B, [out.ready(room), both, out.bye(oldId, ua), both], 'B');
  await expectFrames(A2, [out.bye(oldId, ua), both], 'A2');
  await A1.silent(0);

  // The new connection now talks to B.
  A2.send(videoCore.offer('v=0'));
  assert.equal(await B.next(), out.message(videoCore.offer('v=0'), ua));
  B.send(videoCore.answer('v=0'));
  assert.equal(await A2.next(), out.message(videoCore.answer('v=0'), ub));
  await Promise.all([A2.silent(200), B.silent(0)]);
});

test('duplicate userId while alone in the room: the new socket is "created", then hears the old one\'s bye (100 rounds)', async () => {
  // Repeated because a wrong implementation can race here: the old socket's clean-up must not run
  // before the new socket is in the room (in the original it runs on the old socket's close event,
  // which comes after the client echoes the close frame, so always after the join).
  for (let round = 0; round < 100; round++) {
    const ua = user('alice'), ub = user('bob');
    const room = roomName(ua, ub);
    const A1 = await open();
    A1.send(videoCore.join(ua, ub));
    assert.equal(await A1.next(), out.created(room));
    const [oldId] = await roomInfoIds(A1, room, [ua]);
    const A2 = await open();
    A2.send(videoCore.join(ua, ub));
    assert.equal(await A1.next(), out.error(REPLACED));
    assert.equal((await A1.closed()).code, 1005);
    assert.equal(await A2.next(), out.created(room));
    const [newId] = await roomInfoIds(A2, room, [ua]);
    await expectFrames(A2, [out.bye(oldId, ua), out.roomInfo(room, [[newId, ua]])], `round ${round}: A2`);
    A2.terminate();
  }
});

test('a second join on the same socket leaves the old room first (RECOMMENDED)', async () => {
  const ua = user('alice'), ub = user('bob'), uc = user('carol');
  const A = await open();
  const B = await open();
  const { room, idA, idB } = await pairUp(A, B, ua, ub);
  A.send(videoCore.join(ua, uc));
  const room2 = roomName(ua, uc);
  assert.equal(await A.next(), out.created(room2));
  const [newId] = await roomInfoIds(A, room2, [ua]);
  assert.ok(BigInt(newId) >= BigInt(idA));
  await expectFrames(B, [out.bye(idA, ua), out.roomInfo(room, [[idB, ub]])], 'B');
  // A no longer reaches B.
  A.send(videoCore.offer('v=0'));
  await B.silent(300);
});

test('ids containing "_" collide: a third distinct user enters the same room (no limit in the original)', async () => {
  // Three distinct userIds whose sorted pairs all give the room name room_x_y_z.
  const x = `x${++unique}`, y = `y${unique}`, z = `z${unique}`;
  const first = [`${x}_${y}`, z];   // room_x_y_z
  const second = [x, `${y}_${z}`];  // room_x_y_z
  const third = [z, `${x}_${y}`];   // room_x_y_z, a distinct userId "z"
  const room = `room_${x}_${y}_${z}`;
  assert.equal(roomName(...first), room);
  assert.equal(roomName(...second), room);
  assert.equal(roomName(...third), room);
  const P = await open(), Q = await open(), R = await open();
  P.send(videoCore.join(...first));
  assert.equal(await P.next(), out.created(room));
  const [idP] = await roomInfoIds(P, room, [first[0]]);
  Q.send(videoCore.join(...second));
  assert.equal(await Q.next(), out.joined(room));
  const [, idQ] = await roomInfoIds(Q, room, [first[0], second[0]]);
  await expectFrames(P, [out.ready(room), out.roomInfo(room, [[idP, first[0]], [idQ, second[0]]])]);
  R.send(videoCore.join(...third));
  assert.equal(await R.next(), out.joined(room));
  const [, , idR] = await roomInfoIds(R, room, [first[0], second[0], third[0]]);
  const three = out.roomInfo(room, [[idP, first[0]], [idQ, second[0]], [idR, third[0]]]);
  await expectFrames(P, [out.ready(room), three], 'P');
  await expectFrames(Q, [out.ready(room), three], 'Q');
  const msg = videoCore.offer('v=0');
  R.send(msg);
  assert.equal(await P.next(), out.message(msg, third[0]));
  assert.equal(await Q.next(), out.message(msg, third[0]));
});

test('relay shapes: missing data/candidate dropped like JSON.stringify drops undefined; null kept', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await pairUp(A, B, ua, ub);
  A.send('{"type":"message"}');
  assert.equal(await B.next(), `{"type":"message","from":"${ua}"}`);
  A.send('{"type":"message","data":null}');
  assert.equal(await B.next(), `{"type":"message","data":null,"from":"${ua}"}`);
  A.send('{"type":"candidate"}');
  assert.equal(await B.next(), `{"type":"message","data":{"type":"candidate"},"from":"${ua}"}`);
  A.send('{"type":"message","data":"plain string","from":"forged","extra":1}');
  assert.equal(await B.next(), `{"type":"message","data":"plain string","from":"${ua}"}`);
  A.send('{"data":{"type":"offer","sdp":"v=0"},"type":"message"}');
  assert.equal(await B.next(), `{"type":"message","data":{"type":"offer","sdp":"v=0"},"from":"${ua}"}`);
  await A.silent(200);
});

test('relayed data is re-serialized as JSON.stringify would (spaces, escapes, number forms)', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await pairUp(A, B, ua, ub);
  const frames = [
    '{"type":"message","data": {"type" : "offer", "sdp" : "v=0"} }',
    '{"type":"message","data":{"sdp":"a\\/b \\u0041 \\u00e9"}}',
    '{"type":"message","data":{"n":1.0,"m":1e2,"k":-0,"big":12345678901234567890}}',
    '{"type":"candidate","candidate":{ "candidate":"candidate:1 1 UDP 1 1.2.3.4 5 typ host", "sdpMid":"0", "sdpMLineIndex":0.0 }}',
  ];
  for (const frame of frames) {
    A.send(frame);
    const expected = JSON.parse(frame).type === 'candidate' ? out.candidate(frame, ua) : out.message(frame, ua);
    assert.equal(await B.next(), expected, frame);
  }
});

test('bad-input catalogue: ignored, nothing relayed, server alive, untouched sessions unaffected', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await pairUp(A, B, ua, ub);
  const garbage = [
    'not json', '{', '{"type":"message"', '', ' ', 'null', '42', '-1.5e3', '"message"', 'true', 'false', '[]',
    '[{"type":"message","data":1}]', '{}', '{"type":null}', '{"type":42}', '{"type":["message"]}',
    '{"type":{"k":"message"}}', '{"type":"MESSAGE","data":1}', '{"type":"offer","sdp":"v=0"}',
    '{"type":"answer"}', '{"type":"hello"}', '\u0000', '{"type":"message"}}', '{"type":"message","data":1} trailing',
    '{"type":"message",}', "{'type':'message'}", '{type:"message"}', '/*c*/{"type":"message"}',
    '{"type":"message","data":[1,]}', '{"type":"message","data":NaN}', '{"type":"message","data":01}',
    '{"type":"message","data":"a\u0000b"}', '{"type":"message","data":"\\x"}',
  ];
  for (const g of garbage) A.send(g);
  A.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), { binary: true });
  await B.silent(400);
  assert.equal(A.closeInfo, null, 'the sender stays connected');

  // A fresh socket whose first frame is null: the original process died on exactly this.
  const N = await open();
  N.send('null');
  N.send('{"type":"join","userId":null}');
  assert.equal(await N.next(), out.error(MISSING));

  // Huge but allowed (the original allowed 100 MiB; Signalman buffers up to 1 MiB): relayed exactly.
  const huge = videoCore.offer('v=0\r\n' + 'a=x-filler:'.padEnd(900_000, 'x'));
  A.send(huge);
  assert.equal(await B.next(5000), out.message(huge, ua));
  // Deeply nested but reasonable data.
  const deep = `{"type":"message","data":${'['.repeat(20)}1${']'.repeat(20)}}`;
  A.send(deep);
  assert.equal(await B.next(), out.message(deep, ua));

  assert.ok(server.alive(), 'server process still running');
  B.send(videoCore.answer('v=0'));
  assert.equal(await A.next(), out.message(videoCore.answer('v=0'), ub));

  // A second pair that never saw bad input works normally.
  const uc = user('carol'), ud = user('dave');
  const C = await open('/fresh?x=1');
  const D = await open('/other/path');
  await pairUp(C, D, uc, ud);
  C.send(videoCore.offer('v=0'));
  assert.equal(await D.next(), out.message(videoCore.offer('v=0'), uc));
  await Promise.all([A.silent(200), B.silent(0), C.silent(0), D.silent(0), N.silent(0)]);
});

test('a frame that starts with a BOM is invalid JSON for JSON.parse: ignored', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  await pairUp(A, B, ua, ub);
  A.send('\uFEFF{"type":"message","data":{"type":"offer","sdp":"v=0"}}');
  await B.silent(300);
});

test('duplicate keys: the last one wins, as in JSON.parse', async () => {
  const ua = user('alice'), ub = user('bob');
  const A = await open();
  const B = await open();
  const { room, idA, idB } = await pairUp(A, B, ua, ub);
  A.send('{"type":"message","data":1,"data":2}');
  assert.equal(await B.next(), `{"type":"message","data":2,"from":"${ua}"}`);
  A.send('{"type":"join","userId":"q","userId":"","remoteId":"z"}');
  assert.equal(await A.next(), out.error(MISSING));
  A.send('{"type":"message","type":"bye"}');
  await expectFrames(B, [out.bye(idA, ua), out.bye(idA, ua), out.roomInfo(room, [[idB, ub]])]);
});

test('served on the main listener under /pair as well', async () => {
  const main = `ws://127.0.0.1:${server.ports.main}`;
  for (const [pa, pb] of [['/pair', '/pair'], ['/pair/x?y=1', '/pair/']]) {
    const ua = user('alice'), ub = user('bob');
    const A = await open(pa, main);
    const B = await open(pb, main);
    await pairUp(A, B, ua, ub);
    A.send(videoCore.offer('v=0'));
    assert.equal(await B.next(), out.message(videoCore.offer('v=0'), ua));
  }
});

test('HTTP: GET / as the Express app, other paths get Express\'s 404 page', async () => {
  const origin = `http://127.0.0.1:${server.ports.pair}`;
  for (const url of [`${origin}/`, `${origin}/?x=1`, `http://127.0.0.1:${server.ports.main}/pair`]) {
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), 'WebRTC Signaling Server Running');
  }
  const notFound = (method, path) => '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
    + `</head>\n<body>\n<pre>Cannot ${method} ${path}</pre>\n</body>\n</html>\n`;
  for (const [method, path] of [['GET', '/x'], ['GET', '/index.html'], ['POST', '/']]) {
    const res = await fetch(origin + path, { method });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), notFound(method, path));
  }
});

test('HTTP: HEAD / is answered by the GET route, as Express does (200, no body)', async () => {
  const res = await fetch(`http://127.0.0.1:${server.ports.pair}/`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
});

test('end to end: two node-datachannel peers follow VideoCore\'s state machine and open a data channel', async (t) => {
  // Each peer plays the Android client in a child process (support/ndc-peer.mjs, mode `pair`).
  const ua = user('alice'), ub = user('bob');
  const A = ndcPeer(t, 'pair', { url: `${base}/`, me: ua, remote: ub });
  await A.frame('created'); // A is the initiator
  const B = ndcPeer(t, 'pair', { url: `${base}/`, me: ub, remote: ua });
  // The budget includes starting the child and loading libdatachannel in it.
  assert.deepEqual(await A.waitFor(1, 15_000), [`Hello From ${ub}`]);
  assert.deepEqual(await B.waitFor(1, 2_000), [`Hello from ${ua}`]);
  await Promise.all([A.end(), B.end()]);
});
