package io.signalman.core;

import java.util.List;

/** What became of a join request. */
public sealed interface JoinOutcome {

    /** The peer is in the room; {@code roster} lists every member in join order, the joiner last. */
    record Joined(List<Member> roster) implements JoinOutcome {
        /** The members other than the joiner. */
        public List<Member> others() {
            return roster.subList(0, roster.size() - 1);
        }
    }

    /** The room holds {@code capacity} members already. */
    record Full(int capacity) implements JoinOutcome {}

    /** The peer was in the room already. */
    record AlreadyIn() implements JoinOutcome {}

    /** The peer may be in no more rooms. */
    record TooManyRooms(int limit) implements JoinOutcome {}
}
