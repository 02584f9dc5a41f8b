// What seed 002's Android VideoCore client sends: org.json's JSONObject.toString(). Shared by
// pair.test.mjs and the node-datachannel child (ndc-peer.mjs) that plays the client end to end.

// Keys in insertion order, no spaces, and (Android's JSONStringer) '/' escaped as '\/'.
function androidString(text) {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (c === '"' || c === '\\' || c === '/') out += '\\' + c;
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (code <= 0x1f) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

export function androidJson(value) {
  if (value === null) return 'null';
  if (typeof value === 'string') return androidString(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return '[' + value.map(androidJson).join(',') + ']';
  return '{' + Object.entries(value).map(([k, v]) => androidString(k) + ':' + androidJson(v)).join(',') + '}';
}

export const videoCore = {
  join: (userId, remoteId) => androidJson({ type: 'join', userId, remoteId }),
  offer: (sdp) => androidJson({ type: 'message', data: { type: 'offer', sdp } }),
  answer: (sdp) => androidJson({ type: 'message', data: { type: 'answer', sdp } }),
  candidate: (sdpMid, sdpMLineIndex, candidate) =>
    androidJson({ type: 'message', data: { type: 'candidate', candidate: { sdpMid, sdpMLineIndex, candidate } } }),
  bye: (userId, remoteId) => androidJson({ type: 'bye', userId, remoteId }),
};
