package io.signalman.peer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Reassembles files from {@link FileFrames} under a directory. Bytes go to a hidden {@code .part}
 * file that is renamed only when its SHA-256 matches the sender's, so a file that appears under its
 * own name is always complete and correct.
 */
public final class FileReceiver {

    /** What happened to one incoming file. {@code path} is null when it was not kept. */
    public record Received(boolean ok, String name, Path path, long size, String expectedSha256, String actualSha256, String problem) {
    }

    /** Told about each file's start, progress and end. */
    public interface Listener {
        void started(String name, long size);

        void progress(long received, long size);

        void finished(Received received);
    }

    private final Path directory;
    private final Listener listener;
    private String name;
    private long size;
    private long received;
    private Path part;
    private OutputStream out;
    private MessageDigest digest;

    public FileReceiver(Path directory, Listener listener) {
        this.directory = directory;
        this.listener = listener;
    }

    /**
     * Takes one frame.
     *
     * @return the RESULT frame to send back when a file ended, else null
     */
    public byte[] accept(FileFrames.Frame frame) throws IOException {
        switch (frame.kind()) {
            case FileFrames.START -> {
                abandon();
                name = safeName(frame.json().path("name").asText(""));
                size = frame.json().path("size").asLong(-1);
                received = 0;
                digest = Sha256.newDigest();
                Files.createDirectories(directory);
                // Not Files.createTempFile: that makes the file private to the owner, and a received
                // file should get the usual permissions when it is renamed into place.
                part = directory.resolve("." + name + "." + Long.toHexString(System.nanoTime()) + ".part");
                out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                listener.started(name, size);
                return null;
            }
            case FileFrames.CHUNK -> {
                if (out == null) throw new IOException("a file chunk arrived outside a transfer");
                out.write(frame.payload());
                digest.update(frame.payload());
                received += frame.payload().length;
                listener.progress(received, size);
                return null;
            }
            case FileFrames.END -> {
                if (out == null) throw new IOException("a file end arrived outside a transfer");
                out.close();
                out = null;
                String expected = frame.json().path("sha256").asText("");
                String actual = Sha256.hex(digest);
                Received result;
                if (!expected.equalsIgnoreCase(actual)) {
                    Files.deleteIfExists(part);
                    result = new Received(false, name, null, received, expected, actual, "SHA-256 mismatch");
                } else if (size >= 0 && received != size) {
                    Files.deleteIfExists(part);
                    result = new Received(false, name, null, received, expected, actual, "announced " + size + " bytes, received " + received);
                } else {
                    Path target = freeName(directory, name);
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                    result = new Received(true, name, target, received, expected, actual, null);
                }
                part = null;
                listener.finished(result);
                return FileFrames.result(result.ok(), actual, received);
            }
            default -> throw new IOException("frame kind " + frame.kind() + " is not part of an incoming file");
        }
    }

    /** Drops a transfer that did not finish (a new START, or the channel closed). */
    public void abandon() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        if (part != null) {
            Files.deleteIfExists(part);
            part = null;
        }
    }

    /** The last path element of what the sender called the file, so that it cannot write outside the directory. */
    static String safeName(String sent) {
        String name = sent.substring(Math.max(sent.lastIndexOf('/'), sent.lastIndexOf('\\')) + 1)
                .replaceAll("[\\p{Cntrl}]", "").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) return "received-file";
        return name;
    }

    /** {@code name}, or {@code name (1)}, {@code name (2)}... before the extension, whichever does not exist yet. */
    static Path freeName(Path directory, String name) {
        Path candidate = directory.resolve(name);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; Files.exists(candidate); i++) {
            candidate = directory.resolve(stem + " (" + i + ")" + extension);
        }
        return candidate;
    }
}
