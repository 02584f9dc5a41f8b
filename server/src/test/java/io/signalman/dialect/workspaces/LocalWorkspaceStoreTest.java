package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalWorkspaceStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A storage file as the original wrote it with JSON.stringify (one line, attendees with a socket, a call). */
    private static final String ORIGINAL_FILE = "{\"_Wk5pQ2rT8aZ\":{\"id\":\"_Wk5pQ2rT8aZ\",\"name\":\"Demo\",\"avatar\":\"\","
            + "\"owner\":\"_At7uY3iO1pL\",\"created\":1700000000000,\"token\":\"eyJ.x.y\","
            + "\"attendees\":{\"_At7uY3iO1pL\":{\"id\":\"_At7uY3iO1pL\",\"name\":\"Alice\",\"avatar\":\"\"},"
            + "\"_Bq2wE4rT6yU\":{\"id\":\"_Bq2wE4rT6yU\",\"name\":\"Bob\",\"avatar\":\"b.png\",\"socket\":\"kX9_abc\"}},"
            + "\"socketMap\":{\"_At7uY3iO1pL\":\"aa11\",\"_Bq2wE4rT6yU\":\"kX9_abc\"},"
            + "\"call\":{\"id\":\"c1\",\"extra\":[1,2,{\"x\":null}]}}}";

    @TempDir
    Path dir;

    @Test
    void loadsTheOriginalsFileAndKeepsEveryField() throws Exception {
        Path file = dir.resolve("workspaces.json");
        Files.writeString(file, ORIGINAL_FILE);
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        assertThat(store.size()).isEqualTo(1);
        ObjectNode workspace = store.get("_Wk5pQ2rT8aZ");
        assertThat(workspace).isEqualTo(JSON.readTree(ORIGINAL_FILE).get("_Wk5pQ2rT8aZ"));
        assertThat(WorkspaceStore.attendeeCount(workspace)).isEqualTo(2);
        assertThat(store.get("_nope")).isNull();
    }

    @Test
    void everyChangeIsWrittenAndReadBackByTheNextProcess() throws Exception {
        Path file = dir.resolve("workspaces.json");
        Files.writeString(file, ORIGINAL_FILE);
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        ObjectNode added = (ObjectNode) JSON.readTree("{\"id\":\"_New0000000\",\"name\":\"N\",\"attendees\":{},\"socketMap\":{}}");
        store.put("_New0000000", added);
        store.remove("_Wk5pQ2rT8aZ");

        JsonNode onDisk = JSON.readTree(file.toFile());
        assertThat(onDisk).isEqualTo(JSON.readTree("{\"_New0000000\":" + added + "}"));
        LocalWorkspaceStore reloaded = new LocalWorkspaceStore(file);
        assertThat(reloaded.size()).isEqualTo(1);
        assertThat(reloaded.get("_New0000000")).isEqualTo(added);
        assertThat(reloaded.get("_Wk5pQ2rT8aZ")).isNull();
    }

    @Test
    void theFileIsReplacedWholeNeverRewrittenInPlace() throws Exception {
        // A reader (or a crash) must see the old file or the new one, never a half-written one. A
        // hard link to the old file shows the difference: a rename leaves it holding the old bytes,
        // while a write into the file in place would change them too.
        Path file = dir.resolve("workspaces.json");
        Files.writeString(file, ORIGINAL_FILE);
        Path oldVersion = dir.resolve("old-version.json");
        Files.createLink(oldVersion, file);
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        store.put("_New0000000", JSON.createObjectNode().put("id", "_New0000000"));

        assertThat(Files.readString(oldVersion)).isEqualTo(ORIGINAL_FILE);
        assertThat(JSON.readTree(file.toFile()).has("_New0000000")).isTrue();
        assertThat(filesIn(dir)).containsExactlyInAnyOrder("workspaces.json", "old-version.json");
    }

    @Test
    void aTemporaryFileLeftByACrashIsHarmless() throws Exception {
        Path file = dir.resolve("workspaces.json");
        Files.writeString(file, ORIGINAL_FILE);
        Files.writeString(dir.resolve("workspaces.json.tmp"), "{\"half\":");
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        assertThat(store.size()).isEqualTo(1);
        store.put("_New0000000", JSON.createObjectNode().put("id", "_New0000000"));
        assertThat(new LocalWorkspaceStore(file).size()).isEqualTo(2);
        assertThat(filesIn(dir)).containsExactly("workspaces.json");
    }

    @Test
    void withoutAFileEverythingStaysInMemory() {
        LocalWorkspaceStore store = new LocalWorkspaceStore(null);
        store.put("_a00", JSON.createObjectNode().put("id", "_a00"));
        assertThat(store.get("_a00").get("id").asText()).isEqualTo("_a00");
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aMissingFileStartsEmptyAndIsCreatedOnTheFirstChange() throws Exception {
        Path file = dir.resolve("new.json");
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        assertThat(store.size()).isZero();
        assertThat(file).doesNotExist();
        store.put("_a00", JSON.createObjectNode().put("id", "_a00"));
        assertThat(JSON.readTree(file.toFile())).isEqualTo(JSON.readTree("{\"_a00\":{\"id\":\"_a00\"}}"));
    }

    @Test
    void aFileThatIsNotAWorkspaceMapStopsTheStartWithItsName() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"_a\":");
        assertThatThrownBy(() -> new LocalWorkspaceStore(broken))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(broken.toString());
        Path array = dir.resolve("array.json");
        Files.writeString(array, "[1,2]");
        assertThatThrownBy(() -> new LocalWorkspaceStore(array))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not hold a JSON object");
    }

    @Test
    void aFailedWriteKeepsTheChangeInMemory() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = sub.resolve("workspaces.json");
        LocalWorkspaceStore store = new LocalWorkspaceStore(file);
        Files.delete(sub); // nowhere to write now
        store.put("_a00", JSON.createObjectNode().put("id", "_a00"));
        assertThat(store.get("_a00")).isNotNull();
    }

    private static Set<String> filesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
