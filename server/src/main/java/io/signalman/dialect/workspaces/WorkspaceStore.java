package io.signalman.dialect.workspaces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the workspaces live: one node's memory and its JSON file ({@link LocalWorkspaceStore}), or
 * Redis when nodes form a cluster ({@link RedisWorkspaceStore}). A workspace is a JSON tree in the
 * original's shape ({@code {id, name, avatar, owner, created, token, attendees, socketMap, call?}}).
 *
 * <p>Every check-and-change of the protocol (capacity on {@code attend}, the owner rules of
 * {@code leave} and {@code kick}, {@code re-attend}, the call) is one {@link #update}, which the
 * store applies atomically against every other change of that workspace, on every node that shares
 * the store. Reads return copies: changing one changes nothing stored.
 *
 * <p>The calls may wait for a network round trip; callers run on the dialect's worker threads,
 * never on an event loop. A store that cannot be reached throws {@link Unavailable}.
 */
interface WorkspaceStore extends AutoCloseable {

    /** A copy of the workspace, or null if there is none. */
    ObjectNode get(String id);

    /** Stores a new workspace unless its id is taken; true if it was stored. */
    boolean create(String id, ObjectNode workspace);

    /** Removes the workspace if there is one. */
    void remove(String id);

    /**
     * Reads the workspace, lets {@code change} look at and change a copy of it (null when there is
     * none), and stores the copy if it differs, all as one atomic step. {@code change} may run more
     * than once (when another node changed the workspace in between), so it must do nothing but
     * change its argument and compute its result; its last result is returned.
     */
    <R> R update(String id, Change<R> change);

    /** Frees connections; the store is not used afterwards. */
    @Override
    void close();

    /** A read-modify-write of one workspace. */
    @FunctionalInterface
    interface Change<R> {
        R apply(ObjectNode workspace);
    }

    /** Thrown when the store cannot be reached; the event that needed it is dropped. */
    final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Counts the attendees of a workspace. */
    static int attendeeCount(ObjectNode workspace) {
        JsonNode attendees = workspace.get("attendees");
        return attendees == null ? 0 : attendees.size();
    }
}
