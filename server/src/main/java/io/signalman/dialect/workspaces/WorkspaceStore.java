package io.signalman.dialect.workspaces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces by id, in the original's shape: {@code {"<id>": {id, name, avatar, owner, created,
 * token, attendees: {...}, socketMap: {...}, call?}}}, kept as JSON trees so that whatever clients
 * stored (an attendee's extra fields, a call object) survives unchanged. With a storage file, the
 * whole map is written after every change, atomically (temporary file, fsync, rename), and read at
 * start, in the original's format, so a file written by the Node server loads as is.
 *
 * <p>Callers hold the store's monitor for a read-modify-write ({@code synchronized (store)}).
 */
final class WorkspaceStore {
    private static final Logger log = LoggerFactory.getLogger(WorkspaceStore.class);

    private final ObjectMapper json = new ObjectMapper();
    private final Path file;
    private final ObjectNode workspaces;

    WorkspaceStore(Path file) {
        this.file = file;
        this.workspaces = load(file);
    }

    private ObjectNode load(Path path) {
        if (path == null || !Files.exists(path)) return json.createObjectNode();
        try {
            JsonNode root = json.readTree(path.toFile());
            if (root instanceof ObjectNode object) {
                log.info("Loaded {} workspaces from {}", object.size(), path);
                return object;
            }
            throw new IllegalArgumentException("workspaces storage file " + path + " does not hold a JSON object");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read workspaces storage file " + path + ": " + e.getMessage(), e);
        }
    }

    synchronized ObjectNode get(String id) {
        JsonNode workspace = workspaces.get(id);
        return workspace instanceof ObjectNode object ? object : null;
    }

    synchronized void put(String id, ObjectNode workspace) {
        workspaces.set(id, workspace);
        save();
    }

    synchronized void remove(String id) {
        workspaces.remove(id);
        save();
    }

    synchronized int size() {
        return workspaces.size();
    }

    /** Writes the map if a storage file is configured; a failure is logged, and memory stays right. */
    synchronized void save() {
        if (file == null) return;
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            byte[] bytes = json.writeValueAsBytes(workspaces);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.error("Cannot write workspaces to {}: {}", file, e.toString());
        }
    }

    /** Counts the attendees of a workspace. */
    static int attendeeCount(ObjectNode workspace) {
        JsonNode attendees = workspace.get("attendees");
        return attendees == null ? 0 : attendees.size();
    }
}
