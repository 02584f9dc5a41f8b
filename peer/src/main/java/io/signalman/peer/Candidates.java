package io.signalman.peer;

import dev.onvoid.webrtc.RTCIceCandidate;

/**
 * Candidates as seed 004's peers write them: the SDP attribute line with its {@code a=} prefix and
 * the media id as a string (libdatachannel's form). libwebrtc wants the line without the prefix.
 */
final class Candidates {
    private Candidates() {
    }

    static String toWire(String sdp) {
        return sdp.startsWith("a=") ? sdp : "a=" + sdp;
    }

    static RTCIceCandidate fromWire(String candidate, String mid) {
        String line = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
        // There is only the one data-channel section, so its index is 0 whatever the mid is called.
        return new RTCIceCandidate(mid, 0, line);
    }
}
