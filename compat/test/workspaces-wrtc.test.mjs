// Seed 001 (workspaces): a real WebRTC data channel between two @roamhq/wrtc attendees, negotiated
// as webRTCWorkspaces.js does it: the caller's offer goes out with `ring`, the callee's answer with
// `answer`, and candidates both ways with `icecandidate`, over socket.io-client 2.5.0 with the
// default transports. Runs in a loopback-only network namespace (see bin/test); @roamhq/wrtc only,
// never node-datachannel in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { workspaceClient, upgraded } from './support/workspaces.mjs';
import { wrtcPeer, exchange } from './support/peers.mjs';

/** Waits for `promise`, but never longer than `ms`: a libwebrtc call left pending must not hang the file. */
const settled = (promise, ms = 5000) => Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);

let server;
before(async () => {
  server = await startServer(['--listen', 'workspaces@127.0.0.1:0', '--ice-server', 'none'],
    { env: { MAGICK_TOKEN: 'wrtc-secret', SALT_STRING: 'wrtc-salt' } });
});
after(async () => {
  await server?.stop();
});

test('two attendees open a data channel through ring, answer and icecandidate', { timeout: 60000 }, async () => {
  const url = `http://127.0.0.1:${server.ports.workspaces}`;
  const alice = await workspaceClient(url, { name: 'alice' });
  const bob = await workspaceClient(url, { name: 'bob' });
  const peers = [];
  let stop = false;
  try {
    assert.deepEqual(await alice.request('iceservers', {}, 'iceservers'), []);
    const created = await alice.request('create', { workspace: { name: 'Call', pin: '', avatar: '' },
      attendee: { name: 'Alice', avatar: '' }, nonce: 'create-workspace::abcdefghij' }, 'created');
    const ws = { id: created.workspace.id };
    const granted = await bob.request('attend', { workspace: { token: created.workspace.token, pin: '' },
      attendee: { name: 'Bob', avatar: '' }, nonce: 'attend-workspace::abcdefghij' }, 'attendance-granted');
    await alice.next('attend');
    await Promise.all([upgraded(alice), upgraded(bob)]);
    const a = created.attendee;
    const b = granted.attendee;
    const call = { id: 'call-wrtc' };

    // the caller: its offer rides on `ring`, its candidates on `icecandidate` to the callee
    const caller = wrtcPeer({ initiator: true, signal: (m) => {
      if (m.type === 'offer') {
        alice.emit('ring', { workspace: ws, attendee: a, accessToken: created.accessToken, call, callee: { id: b.id },
          offer: { type: 'offer', sdp: m.sdp }, nonce: `start-call:${call.id}:salt` });
      } else if (m.type === 'candidate') {
        alice.emit('icecandidate', { attendee: { id: b.id }, broadcaster: { id: a.id }, workspace: ws,
          accessToken: created.accessToken, candidate: m.candidate });
      }
    } });
    // the callee answers with `answer` to the caller
    const callee = wrtcPeer({ initiator: false, signal: (m) => {
      if (m.type === 'answer') {
        bob.emit('answer', { workspace: ws, attendee: b, call, caller: { id: a.id }, answer: { type: 'answer', sdp: m.sdp },
          accessToken: granted.accessToken });
      } else if (m.type === 'candidate') {
        bob.emit('icecandidate', { attendee: { id: a.id }, broadcaster: { id: b.id }, workspace: ws,
          accessToken: granted.accessToken, candidate: m.candidate });
      }
    } });
    peers.push(caller, callee);

    // Candidates can overtake the description they belong to (libwebrtc gathers as soon as the
    // local description is set), so each side holds them until it has the remote description,
    // as a browser application must too.
    const pump = (client, peer, events) => (async () => {
      const seen = [];
      const held = [];
      let described = false;
      while (!stop) {
        for (const event of events) {
          let arg;
          try { arg = await client.next(event, 50); } catch { continue; }
          seen.push(event);
          if (event === 'ring') {
            assert.equal(arg.caller.id, a.id);
            await peer.receive(arg.offer);
            described = true;
          } else if (event === 'answer') {
            assert.equal(arg.callee.id, b.id);
            assert.equal(arg.nonce, '');
            await peer.receive(arg.answer);
            described = true;
          } else if (event === 'icecandidate') {
            assert.equal(arg.attendee.id, client === alice ? a.id : b.id);
            held.push(arg.candidate);
          }
          while (described && held.length) await peer.receive({ type: 'candidate', candidate: held.shift() });
        }
      }
      return seen;
    })();
    const pumps = [pump(alice, caller, ['answer', 'icecandidate']), pump(bob, callee, ['ring', 'icecandidate'])];
    await caller.offer();
    const [ca, cb] = await Promise.all([caller.channel(), callee.channel()]);
    cb.onmessage = (e) => cb.send('echo:' + e.data);
    assert.equal(await exchange(ca, 'hello over workspaces'), 'echo:hello over workspaces');
    stop = true;
    const [aliceSaw, bobSaw] = await settled(Promise.all(pumps));
    assert.ok(aliceSaw.includes('answer'), JSON.stringify(aliceSaw));
    assert.ok(bobSaw.includes('ring') && bobSaw.includes('icecandidate'), JSON.stringify(bobSaw));
  } finally {
    stop = true;
    for (const p of peers) p.close();
    alice.close();
    bob.close();
  }
});
