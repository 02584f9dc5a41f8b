// The video call demo: everything it does with the network goes through the Signalman SDK.
import { SignalmanClient, Mesh } from '/sdk/signalman.js';

const $ = (id) => document.getElementById(id);
const ROOM_KEY = 'signalman-demo-room'; // sessionStorage: this tab was in a call, so a reload rejoins it
const NAME_KEY = 'signalman-demo-name'; // localStorage: the name typed last time
// What a tile says about its connection; nothing once media flows.
const STATE_LABELS = {
  new: 'connecting…', connecting: 'connecting…', connected: '', disconnected: 'reconnecting…', failed: 'no connection', closed: '',
};

const client = new SignalmanClient();
/** @type {Mesh|null} */
let mesh = null;
/** @type {MediaStream|null} */
let camera = null;
let room = null;
let myName = '';
const tiles = new Map(); // peer id (or 'local') → tile element

// For the curious, in the browser console: demo.client, demo.mesh.peers (each with its RTCPeerConnection).
globalThis.demo = { client, get mesh() { return mesh; } };

// ---- connection status -------------------------------------------------------------------

let countdown = null;
client.on('state', ({ state, attempt, retryInMs }) => {
  const status = $('status');
  status.dataset.state = state;
  clearInterval(countdown);
  if (state === 'open') {
    status.textContent = 'Online';
    hideNotice('connection');
  } else if (state === 'closed') {
    status.textContent = 'Disconnected';
    showNotice('connection', 'The server ended this session. Reload the page to start again.');
  } else if (attempt === 0) {
    status.textContent = 'Connecting…';
  } else if (state === 'connecting' || attempt > 1) {
    status.textContent = 'Offline';
    const retryAt = Date.now() + retryInMs;
    const tell = () => {
      const seconds = Math.ceil((retryAt - Date.now()) / 1000);
      showNotice('connection', seconds > 0
        ? `The server is unreachable. Trying again in ${seconds} s…`
        : 'The server is unreachable. Trying again…');
    };
    tell();
    countdown = setInterval(tell, 1000);
  } else {
    status.textContent = 'Reconnecting…';
    showNotice('connection', 'Connection to the server lost. Reconnecting…');
  }
});

client.on('rejoin-failed', ({ room: name, error }) => {
  if (name !== room) return;
  endCall();
  showLobbyError(error.code === 'room-full'
    ? `Room “${name}” filled up while you were reconnecting. Try again later or pick another room.`
    : `Could not rejoin “${name}”: ${error.message}`);
});

client.connect();

let noticeOwner = null;
function showNotice(owner, text) {
  noticeOwner = owner;
  $('notice').textContent = text;
  $('notice').hidden = false;
}
function hideNotice(owner) {
  if (noticeOwner !== owner) return;
  noticeOwner = null;
  $('notice').hidden = true;
}

// ---- lobby ---------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const linkedRoom = params.get('room') || decodeURIComponent(location.hash.slice(1));
$('room').value = linkedRoom || suggestRoom();
$('name').value = localStorage.getItem(NAME_KEY) ?? '';

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join($('room').value.trim(), $('name').value.trim());
});

if (linkedRoom && sessionStorage.getItem(ROOM_KEY) === linkedRoom) {
  join(linkedRoom, $('name').value.trim());
} else {
  (linkedRoom ? $('join') : $('room')).focus();
}

function suggestRoom() {
  const words = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor', 'iris', 'juniper'];
  const pick = () => words[Math.floor(Math.random() * words.length)];
  return `${pick()}-${pick()}-${Math.floor(100 + Math.random() * 900)}`;
}

function showLobbyError(text) {
  $('lobby-error').textContent = text;
  $('lobby-error').hidden = !text;
}

// ---- joining and leaving -------------------------------------------------------------------

async function join(name, displayName) {
  if (!name) return;
  showLobbyError('');
  myName = displayName || 'Guest';
  localStorage.setItem(NAME_KEY, displayName);
  const button = $('join');
  button.disabled = true;
  button.textContent = 'Starting camera…';
  camera = await openCamera();

  mesh = new Mesh(client, name, { channels: { chat: { ordered: true } } });
  wireMesh(mesh);
  for (const track of camera?.getTracks() ?? []) mesh.addTrack(track, camera);

  try {
    if (client.state !== 'open') button.textContent = 'Waiting for the server…';
    await client.connect();
    button.textContent = 'Joining…';
    await mesh.join({ name: myName });
  } catch (error) {
    endCall();
    showLobbyError(error.code === 'room-full'
      ? `Room “${name}” is full. Try again later or pick another room.`
      : `Could not join “${name}”: ${error.message}`);
    return;
  } finally {
    button.disabled = false;
    button.textContent = 'Join';
  }
  room = name;
  sessionStorage.setItem(ROOM_KEY, name);
  history.replaceState(null, '', `/?room=${encodeURIComponent(name)}`);
  document.title = `${name} · Signalman`;
  $('room-label').textContent = name;
  $('room-label').hidden = false;
  addTile('local', `${myName} (you)`, camera);
  $('lobby').hidden = true;
  $('call').hidden = false;
  updateControls();
}

function endCall() {
  mesh?.close();
  mesh = null;
  room = null;
  for (const track of camera?.getTracks() ?? []) track.stop();
  camera = null;
  for (const tile of tiles.values()) tile.remove();
  tiles.clear();
  $('messages').replaceChildren();
  sessionStorage.removeItem(ROOM_KEY);
  document.title = 'Signalman · video call';
  $('room-label').hidden = true;
  $('call').hidden = true;
  $('lobby').hidden = false;
  countTiles();
}

$('leave').addEventListener('click', async () => {
  const leaving = mesh;
  endCall();
  try {
    await leaving?.leave();
  } catch {
    // Not in the room any more (e.g. the connection is down): nothing left to undo.
  }
});

/** The camera and microphone, or whichever of them is available, or null. */
async function openCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    showNotice('media', 'Camera and microphone need a secure page (https:// or localhost). You can still watch and chat.');
    return null;
  }
  const video = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
  for (const constraints of [{ video, audio: true }, { audio: true }, { video }]) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      if (!constraints.video || !constraints.audio) {
        showNotice('media', `Only your ${constraints.video ? 'camera' : 'microphone'} is available.`);
      }
      return stream;
    } catch {
      // try the next, smaller request
    }
  }
  showNotice('media', 'No camera or microphone could be opened. You can still watch and chat.');
  return null;
}

// ---- the mesh: tiles, media, chat ----------------------------------------------------------

function wireMesh(m) {
  m.on('peer', ({ peer, meta }) => addTile(peer, displayNameOf(meta, peer)));
  m.on('state', ({ peer, state }) => {
    const tile = tiles.get(peer);
    if (!tile) return;
    tile.dataset.state = state;
    tile.querySelector('.state').textContent = STATE_LABELS[state] ?? state;
  });
  m.on('track', ({ peer, track }) => {
    const tile = tiles.get(peer);
    if (!tile) return;
    tile.stream.addTrack(track);
    track.addEventListener('ended', () => tile.stream.removeTrack(track));
    play(tile);
  });
  m.on('peer-left', ({ peer }) => {
    tiles.get(peer)?.remove();
    tiles.delete(peer);
    countTiles();
  });
  m.on('channel', ({ channel }) => channel.send(JSON.stringify(statusMessage())));
  m.on('message', ({ peer, data }) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const tile = tiles.get(peer);
    if (message.type === 'chat' && typeof message.text === 'string') {
      addMessage(tile?.dataset.name ?? 'Guest', message.text, false);
    } else if (message.type === 'status' && tile) {
      tile.querySelector('.muted-mic').hidden = message.mic !== false;
      tile.classList.toggle('no-video', message.cam === false);
    }
  });
  m.on('error', ({ peer, error }) => console.warn('peer', peer, error));
}

function displayNameOf(meta, peer) {
  const name = typeof meta?.name === 'string' ? meta.name.trim().slice(0, 40) : '';
  return name || `Guest ${peer.slice(0, 4)}`;
}

function addTile(peer, name, stream = null) {
  const tile = $('tile-template').content.firstElementChild.cloneNode(true);
  tile.dataset.peer = peer;
  tile.dataset.name = name;
  tile.dataset.state = peer === 'local' ? 'connected' : 'new';
  tile.querySelector('.name').textContent = name;
  tile.querySelector('.state').textContent = peer === 'local' ? '' : STATE_LABELS.new;
  const video = tile.querySelector('video');
  tile.stream = stream ?? new MediaStream();
  video.srcObject = tile.stream;
  if (peer === 'local') {
    tile.classList.add('local');
    video.muted = true; // never play your own microphone back
    if (!stream?.getVideoTracks().length) tile.classList.add('no-video');
  }
  tile.querySelector('.unmute').addEventListener('click', () => {
    video.muted = false;
    tile.querySelector('.unmute').hidden = true;
    video.play().catch(() => {});
  });
  tiles.set(peer, tile);
  if (peer === 'local') $('tiles').prepend(tile);
  else $('tiles').append(tile);
  countTiles();
  return tile;
}

/** Starts playback; where the browser blocks sound without a tap (e.g. after a reload), plays muted and offers one. */
function play(tile) {
  const video = tile.querySelector('video');
  video.play().catch((error) => {
    if (error.name !== 'NotAllowedError') return;
    video.muted = true;
    tile.querySelector('.unmute').hidden = false;
    video.play().catch(() => {});
  });
}

function countTiles() {
  $('tiles').dataset.count = String(Math.max(1, tiles.size));
}

// ---- controls ------------------------------------------------------------------------------

function statusMessage() {
  const audio = camera?.getAudioTracks()[0];
  const video = camera?.getVideoTracks()[0];
  return { type: 'status', mic: Boolean(audio?.enabled), cam: Boolean(video?.enabled) };
}

function updateControls() {
  const audio = camera?.getAudioTracks()[0];
  const video = camera?.getVideoTracks()[0];
  setToggle($('mic'), audio, 'Mute', 'Unmute');
  setToggle($('cam'), video, 'Stop video', 'Start video');
  const local = tiles.get('local');
  if (local) {
    local.classList.toggle('no-video', !video?.enabled);
    local.querySelector('.muted-mic').hidden = Boolean(audio?.enabled);
  }
  mesh?.send('chat', JSON.stringify(statusMessage()));
}

function setToggle(button, track, onLabel, offLabel) {
  button.disabled = !track;
  const off = !track || !track.enabled;
  button.setAttribute('aria-pressed', String(off));
  button.querySelector('span').textContent = off ? offLabel : onLabel;
}

// Muting disables the track instead of removing it: the peers then receive silence (or black)
// without a renegotiation, and unmuting is instant.
$('mic').addEventListener('click', () => {
  const track = camera?.getAudioTracks()[0];
  if (track) track.enabled = !track.enabled;
  updateControls();
});
$('cam').addEventListener('click', () => {
  const track = camera?.getVideoTracks()[0];
  if (track) track.enabled = !track.enabled;
  updateControls();
});

$('share').addEventListener('click', async () => {
  const link = `${location.origin}/?room=${encodeURIComponent(room)}`;
  try {
    await navigator.clipboard.writeText(link);
    showNotice('share', 'Link copied. Send it to whoever should join.');
  } catch {
    showNotice('share', `Share this link: ${link}`);
  }
  setTimeout(() => hideNotice('share'), 4000);
});

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('chat-input');
  const text = input.value.trim();
  if (!text || !mesh) return;
  mesh.send('chat', JSON.stringify({ type: 'chat', text }));
  addMessage(myName, text, true);
  input.value = '';
});

function addMessage(name, text, mine) {
  const item = document.createElement('li');
  item.className = mine ? 'mine' : '';
  const who = document.createElement('b');
  who.textContent = mine ? 'You' : name;
  const body = document.createElement('span');
  body.textContent = text;
  item.append(who, body);
  const list = $('messages');
  list.append(item);
  list.scrollTop = list.scrollHeight;
}
