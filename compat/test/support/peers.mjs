// @roamhq/wrtc (libwebrtc) peers for end-to-end tests. libwebrtc gathers candidates on every
// interface, so these tests run in a loopback-only network namespace (bin/test does that) and
// configure no STUN or TURN server. node-datachannel peers run in child processes instead
// (ndc-runner.mjs), so the two SCTP stacks never meet in one process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Loaded on first use: importing this module alone loads no native WebRTC stack.
let wrtcModule;
const wrtc = new Proxy({}, { get: (_, key) => (wrtcModule ??= require('@roamhq/wrtc'))[key] });

/** Resolves with the value of the first call of `register(callback)`, or rejects after `ms`. */
export function once(register, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((value) => { clearTimeout(timer); resolve(value); });
  });
}

/**
 * A @roamhq/wrtc peer connection with helpers: `signal` is called with every local description and
 * candidate; `receive(message)` applies a remote one. `channel()` resolves with the open data channel.
 */
export function wrtcPeer({ initiator, signal }) {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  let closed = false;
  let channelResolve;
  const channelReady = new Promise((r) => { channelResolve = r; });
  const bindChannel = (dc) => {
    dc.onopen = () => channelResolve(dc);
    if (dc.readyState === 'open') channelResolve(dc);
  };
  if (initiator) bindChannel(pc.createDataChannel('test'));
  pc.ondatachannel = (e) => bindChannel(e.channel);
  pc.onicecandidate = (e) => {
    if (e.candidate && !closed) signal({ type: 'candidate', candidate: { sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex, candidate: e.candidate.candidate } });
  };
  return {
    pc,
    channel: (ms = 15000) => Promise.race([channelReady, new Promise((_, rej) => setTimeout(() => rej(new Error('data channel did not open')), ms))]),
    async offer() {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      signal({ type: 'offer', sdp: offer.sdp });
    },
    async receive(message) {
      // libwebrtc must not be touched once closed: a late candidate would crash the process.
      if (closed) return;
      if (message.type === 'offer') {
        await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        signal({ type: 'answer', sdp: answer.sdp });
      } else if (message.type === 'answer') {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
      } else if (message.type === 'candidate') {
        await pc.addIceCandidate(message.candidate);
      }
    },
    close() {
      closed = true;
      pc.close();
    },
  };
}

/** Sends `text` on an open channel and resolves with the first message the other side sends back. */
export function exchange(channel, text, ms = 10000) {
  const reply = once((cb) => { channel.onmessage = (e) => cb(typeof e.data === 'string' ? e.data : Buffer.from(e.data).toString()); }, ms, 'a data-channel message');
  channel.send(text);
  return reply;
}
