package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The path offers, answers and candidates take between two peers. Both implementations carry the same
 * payloads, seed 004's: {@code {"type":"offer"|"answer","description":SDP}} and
 * {@code {"type":"candidate","candidate":"a=candidate:…","mid":"0"}}.
 */
interface Signaling {

    /** What the peer hears from the server. */
    interface Listener {
        void onSignal(String from, JsonNode payload);

        /** The server said the addressee does not exist (the direct dialect never says so). */
        void onPeerUnavailable(String to, String message);

        /** Something worth telling the user: peers joining or leaving a room. */
        void onNotice(String text);

        void onClosed();
    }

    String localId();

    /** ICE servers the server hands out; empty when it hands none out. */
    List<IceServerSpec> iceServers();

    void send(String to, ObjectNode payload);

    void close();
}
