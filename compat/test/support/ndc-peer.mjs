// A node-datachannel (libdatachannel) peer that runs as a child process, never inside a test file:
// libdatachannel sometimes aborts the process in cleanup() or at exit, and a test file killed that
// way fails as a whole even when every test in it passed. ndc-runner.mjs spawns this script.
//
//   node ndc-peer.mjs MODE 'JSON options'
//
// Every observation goes to stdout as one JSON line ({event: ...}); commands come on stdin as JSON
// lines ({cmd: ...}). `{cmd: 'end'}` (or the end of stdin) makes the peer report {event: 'end'},
// meaning "nothing more will be observed", and only then tear libdatachannel down and exit, so
// that an abort during the teardown can be told apart from a failure of the peer's work.
//
// Modes (the signaling frames are those of the original clients of each seed):
//   direct    {url, id}          seed 004's dist/peer.js: node-datachannel's WebSocket to URL/ID,
//                                {id, type, description} and {id, type:'candidate', candidate, mid};
//                                the offerer greets "Hello from ID" when channel `test` opens, the
//                                answerer "Hello From ID" as soon as it gets the channel.
//                                Commands: offerTo {remote}, send {text} (on the first channel).
//   socket    {url}              node-datachannel's WebSocket alone. Commands: send {text}.
//   broadcast {url, name, offerer} seed 003's blog client: `ws`, {message_type, content} frames.
//   pair      {url, me, remote}  seed 002's VideoCore state machine over `ws`, org.json frames.
// Events: open (signaling socket open), channel {label}, message {text} or {binary: base64},
// frame {type} (pair: each server frame's type), closed (signaling socket closed), error {message}.
import ndc from 'node-datachannel';
import WebSocket from 'ws';
import { androidJson, videoCore } from './videocore.mjs';

const [mode, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');

function report(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const asText = (msg) => (typeof msg === 'string' ? { text: msg } : { binary: Buffer.from(msg).toString('base64') });

// No STUN (the namespace is offline), and libjuice gathers no loopback candidates unless bound to one.
const newPeerConnection = (name) => new ndc.PeerConnection(name, { iceServers: [], bindAddress: '127.0.0.1' });

const peerConnections = [];
const commands = {};
let closeSignaling = () => {};

function trackChannel(dc) {
  report({ event: 'channel', label: dc.getLabel() });
  dc.onMessage((msg) => report({ event: 'message', ...asText(msg) }));
  return dc;
}

function ndcSocket(url) {
  const ws = new ndc.WebSocket();
  ws.onOpen(() => report({ event: 'open' }));
  ws.onError((err) => report({ event: 'error', message: `WebSocket ${url}: ${err}` }));
  ws.onClosed(() => report({ event: 'closed' }));
  closeSignaling = () => ws.close();
  return ws;
}

const sides = new WeakMap();
/**
 * Applies a remote peer's description and candidates to `pc`. A candidate can arrive before the
 * description it belongs to (node-datachannel hands a peer's description and its candidates to
 * JavaScript through separate queues, so the other side may send them in either order, and
 * libdatachannel refuses a candidate it has no transport for yet); such a candidate waits for it.
 */
function remoteSide(pc) {
  if (!sides.has(pc)) {
    let described = false;
    const early = [];
    // libdatachannel throws for a candidate it cannot use (seen once for a late candidate on a
    // connection whose data channel was already open). A browser only logs that, and the test
    // still waits for the data-channel messages it expects, so it is reported, not fatal.
    const add = (candidate, mid) => {
      try {
        pc.addRemoteCandidate(candidate, mid);
      } catch (err) {
        report({ event: 'note', message: `candidate refused: ${err.message}` });
      }
    };
    sides.set(pc, {
      description(sdp, type) {
        pc.setRemoteDescription(sdp, type);
        described = true;
        for (const [candidate, mid] of early.splice(0)) add(candidate, mid);
      },
      candidate(candidate, mid) {
        if (described) add(candidate, mid);
        else early.push([candidate, mid]);
      },
    });
  }
  return sides.get(pc);
}

function direct({ url, id }) {
  const ws = ndcSocket(url + '/' + id);
  const peers = new Map();
  const channels = [];
  const newPeer = (remote) => {
    const pc = newPeerConnection('pc-' + id);
    peerConnections.push(pc);
    pc.onLocalDescription((description, type) => ws.sendMessage(JSON.stringify({ id: remote, type, description })));
    pc.onLocalCandidate((candidate, mid) => ws.sendMessage(JSON.stringify({ id: remote, type: 'candidate', candidate, mid })));
    pc.onDataChannel((dc) => {
      channels.push(trackChannel(dc));
      dc.sendMessage('Hello From ' + id);
    });
    peers.set(remote, pc);
    return pc;
  };
  ws.onMessage((text) => {
    const msg = JSON.parse(text);
    const pc = msg.type === 'offer' ? newPeer(msg.id) : peers.get(msg.id);
    if (msg.type === 'offer' || msg.type === 'answer') remoteSide(pc).description(msg.description, msg.type);
    else if (msg.type === 'candidate') remoteSide(pc).candidate(msg.candidate, msg.mid);
  });
  commands.offerTo = ({ remote }) => {
    const dc = newPeer(remote).createDataChannel('test');
    dc.onOpen(() => dc.sendMessage('Hello from ' + id));
    channels.push(trackChannel(dc));
  };
  commands.send = ({ text }) => channels[0].sendMessage(text);
  ws.open(url + '/' + id);
}

function socket({ url }) {
  const ws = ndcSocket(url);
  ws.onMessage((msg) => report({ event: 'message', ...asText(msg) }));
  commands.send = ({ text }) => ws.sendMessage(text);
  ws.open(url);
}

/** A `ws` signaling socket; `onOpen` runs once it is open, `onFrame` with each text frame. */
function wsSocket(url, onOpen, onFrame) {
  const ws = new WebSocket(url);
  ws.on('open', () => { report({ event: 'open' }); onOpen(); });
  ws.on('message', (raw) => onFrame(raw.toString()));
  ws.on('error', (err) => report({ event: 'error', message: `WebSocket ${url}: ${err.message}` }));
  ws.on('close', () => report({ event: 'closed' }));
  closeSignaling = () => ws.close();
  return ws;
}

function broadcast({ url, name, offerer }) {
  let pc;
  const ws = wsSocket(url, () => {
    pc = newPeerConnection(name);
    peerConnections.push(pc);
    pc.onLocalDescription((sdp, type) => ws.send(JSON.stringify({ message_type: 'SDP', content: { type, sdp } })));
    pc.onLocalCandidate((candidate, mid) => ws.send(JSON.stringify({
      message_type: 'CANDIDATE', content: { candidate: candidate.replace(/^a=/, ''), sdpMid: mid, sdpMLineIndex: 0, usernameFragment: null },
    })));
    pc.onDataChannel((dc) => { trackChannel(dc); dc.sendMessage(`Hello From ${name}`); });
    if (offerer) {
      const dc = trackChannel(pc.createDataChannel('test'));
      dc.onOpen(() => dc.sendMessage(`Hello from ${name}`));
    }
  }, (text) => {
    const { message_type, content } = JSON.parse(text);
    if (message_type === 'SDP') remoteSide(pc).description(content.sdp, content.type);
    else if (message_type === 'CANDIDATE' && content) remoteSide(pc).candidate(content.candidate, content.sdpMid);
  });
}

function pair({ url, me, remote }) {
  const state = { initiator: false, channelReady: false, started: false, pc: null };
  let ws;
  const startCall = () => {
    if (state.started || !(state.channelReady || state.initiator)) return;
    state.started = true;
    const pc = newPeerConnection(me);
    peerConnections.push(pc);
    state.pc = pc;
    pc.onLocalDescription((sdp, type) => ws.send(androidJson({ type: 'message', data: { type: type.toLowerCase(), sdp } })));
    pc.onLocalCandidate((candidate, mid) => ws.send(videoCore.candidate(mid, 0, candidate.replace(/^a=/, ''))));
    pc.onDataChannel((dc) => {
      trackChannel(dc);
      dc.sendMessage(`Hello From ${me}`);
    });
    if (state.initiator) {
      const dc = trackChannel(pc.createDataChannel('test'));
      dc.onOpen(() => dc.sendMessage(`Hello from ${me}`));
    }
  };
  ws = wsSocket(url, () => ws.send(videoCore.join(me, remote)), (text) => {
    const json = JSON.parse(text);
    report({ event: 'frame', type: json.type });
    if (json.type === 'created') state.initiator = true;
    else if (json.type === 'joined') state.channelReady = true;
    else if (json.type === 'ready') { if (state.initiator && !state.started) startCall(); }
    else if (json.type === 'message' && json.data) {
      const data = json.data;
      if (data.type === 'offer') {
        if (!state.started) startCall();
        remoteSide(state.pc).description(data.sdp, 'offer');
      } else if (data.type === 'answer' && state.started) {
        remoteSide(state.pc).description(data.sdp, 'answer');
      } else if (data.type === 'candidate' && state.started) {
        remoteSide(state.pc).candidate(data.candidate.candidate, data.candidate.sdpMid);
      }
    }
  });
}

let ending = false;
function end() {
  if (ending) return;
  ending = true;
  report({ event: 'end' });
  for (const pc of peerConnections) pc.close();
  closeSignaling();
  ndc.cleanup();
  process.exit(0);
}

commands.end = end;

const modes = { direct, socket, broadcast, pair };
if (!modes[mode]) {
  console.error(`ndc-peer: unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
modes[mode](options);

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (!line.trim()) continue;
    const command = JSON.parse(line);
    const run = commands[command.cmd];
    if (!run) throw new Error(`ndc-peer ${mode}: unknown command ${line}`);
    run(command);
  }
});
// The test process is gone (or done with this peer): nothing is left to observe.
process.stdin.on('end', end);
