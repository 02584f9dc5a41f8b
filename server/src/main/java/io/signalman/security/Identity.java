package io.signalman.security;

import java.util.List;

/**
 * Who a verified token says the client is: the peer id it must use, and the rooms it may join.
 *
 * @param peerId the token's {@code sub}
 * @param rooms  granted room names, a trailing {@code *} granting every room with that prefix; null
 *               when the token grants every room
 */
public record Identity(String peerId, List<String> rooms) {

    /** Whether the token lets this identity join {@code room}. */
    public boolean mayJoin(String room) {
        if (rooms == null) return true;
        for (String grant : rooms) {
            if (grant.endsWith("*") ? room.startsWith(grant.substring(0, grant.length() - 1)) : room.equals(grant)) {
                return true;
            }
        }
        return false;
    }
}
