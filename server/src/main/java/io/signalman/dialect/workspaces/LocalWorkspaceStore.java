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
 * The workspaces of one node, the default without {@code --cluster}: by id, in the original's
 * shape: {@code {"<id>": {id, name, avatar, owner, created, token, attendees: {...}, socketMap:
 * {...}, call?}}}, kept as JSON trees so that whatever clients stored (an attendee's extra fields, a
 * call object) survives unchanged. With a storage file, the whole map is written after every
 * change, atomically (temporary file, fsync, rename), and read at start, in the original's format,
 * so a file written by the Node server loads as is.
 *
 * <p>Every operation holds the store's monitor, which makes {@link #update} atomic on this node.
 */
final class LocalWorkspaceStore implements WorkspaceStore {
    private static final Logger log = LoggerFactory.getLogger(LocalWorkspaceStore.class);

    private final ObjectMapper json = new ObjectMapper();
    private final Path file;
    private final ObjectNode workspaces;

    LocalWorkspaceStore(Path file) {
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

    @Override
    public synchronized ObjectNode get(String id) {
        ObjectNode workspace = stored(id);
        return workspace == null ? null : workspace.deepCopy();
    }

    private ObjectNode stored(String id) {
        JsonNode workspace = workspaces.get(id);
        return workspace instanceof ObjectNode object ? object : null;
    }

    @Override
    public synchronized boolean create(String id, ObjectNode workspace) {
        if (stored(id) != null) return false;
        put(id, workspace.deepCopy());
        return true;
    }

    @Override
    public synchronized <R> R update(String id, Change<R> change) {
        ObjectNode current = stored(id);
        ObjectNode copy = current == null ? null : current.deepCopy();
        R result = change.apply(copy);
        if (copy != null && !copy.equals(current)) put(id, copy);
        return result;
    }

    synchronized void put(String id, ObjectNode workspace) {
        workspaces.set(id, workspace);
        save();
    }

    @Override
    public synchronized void remove(String id) {
        workspaces.remove(id);
        save();
    }

    @Override
    public void close() {}

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
}
