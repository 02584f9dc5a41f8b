package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.signalman.core.Switchboard;
import io.signalman.core.engine.LocalEngine;
import io.signalman.dialect.DialectContext;
import io.signalman.ops.Metrics;
import io.signalman.testing.TestConfigs;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the workspaces events' payload checks: each input is one event's argument, handed to its
 * handler as netty-socketio would (a Jackson tree), from a socket of its own, in a workspace whose
 * owner and one guest are connected. The committed corpus runs in every build; {@code JAZZER_FUZZ=1}
 * searches (docs/fuzzing.md).
 *
 * <p>The first byte picks the event; the rest is its JSON argument, in which {@code $W}, {@code $O},
 * {@code $G}, {@code $A}, {@code $B} and {@code $I} stand for the workspace id, the owner's and the
 * guest's attendee ids, their access tokens and the invitation, so that inputs get past the token
 * checks. What must hold: no handler throws (the original server went down on several such payloads);
 * every event a socket receives is one the protocol has, and a relayed argument is valid JSON; an alert
 * is one of the original's texts; and every stored workspace keeps its shape (id, owner, token,
 * attendees and socketMap objects).
 */
class WorkspacesEventsFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EVENTS = Set.of("created", "attendance-granted", "re-attendance-granted",
            "destroyed", "full", "alert", "kicked", "ring", "answer", "busy", "hangup", "icecandidate", "negotiation",
            "attend", "leave", "mic-toggle", "cam-toggle", "iceservers");
    private static final Set<String> ALERTS = Set.of(WorkspacesEvents.BAD_WORKSPACE_ID, WorkspacesEvents.BAD_ATTENDEE_ID,
            WorkspacesEvents.BAD_TOKEN, WorkspacesEvents.ACCESS_DENIED, WorkspacesEvents.NOT_OWNER,
            WorkspacesEvents.BAD_INVITE, WorkspacesEvents.WRONG_PIN, WorkspacesEvents.OWNER_CANNOT_LEAVE,
            WorkspacesEvents.OWNER_CANNOT_BE_KICKED);

    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fuzz-timers");
        thread.setDaemon(true);
        return thread;
    });
    private static final LocalEngine ENGINE = new LocalEngine();
    private static final WorkspacesDialect DIALECT = new WorkspacesDialect(new DialectContext(
            new Switchboard(ENGINE, 16), new Metrics(ENGINE),
            TestConfigs.builder().listen("workspaces@127.0.0.1:0").originalEnv("DEVELOPMENT", "true").build(), TIMERS),
            4);
    private static final WorkspacesEvents HANDLERS = new WorkspacesEvents(DIALECT);

    private static final FakeClient OWNER = new FakeClient();
    private static final FakeClient GUEST = new FakeClient();
    private static final String WORKSPACE = "_fuzzspace";
    private static final ObjectNode SNAPSHOT;
    private static final Map<String, String> PLACEHOLDERS;

    static {
        HANDLERS.connected(OWNER.proxy);
        HANDLERS.connected(GUEST.proxy);
        HANDLERS.create(OWNER.proxy, object("{\"workspace\":{\"id\":\"" + WORKSPACE + "\",\"pin\":\"1234\"},"
                + "\"attendee\":{\"id\":\"_owner\",\"name\":\"O\"}}"));
        JsonNode created = OWNER.only("created");
        String invitation = created.path("workspace").path("token").asText();
        HANDLERS.attend(GUEST.proxy, object("{\"workspace\":{\"token\":\"" + invitation + "\",\"pin\":\"1234\"},"
                + "\"attendee\":{\"id\":\"_guest\"}}"));
        JsonNode granted = GUEST.only("attendance-granted");
        SNAPSHOT = DIALECT.store().get(WORKSPACE).deepCopy();
        PLACEHOLDERS = Map.of("$W", WORKSPACE, "$O", "_owner", "$G", "_guest",
                "$A", created.path("accessToken").asText(), "$B", granted.path("accessToken").asText(), "$I", invitation);
    }

    @AfterAll
    static void stop() {
        TIMERS.shutdownNow();
    }

    private interface Event {
        void handle(SocketIOClient client, ObjectNode data);
    }

    private static final Event[] HANDLED = {
        HANDLERS::create, HANDLERS::attend, HANDLERS::reAttend, HANDLERS::destroy, HANDLERS::leave, HANDLERS::kick,
        HANDLERS::ring, HANDLERS::answer, HANDLERS::busy, HANDLERS::hangup, HANDLERS::iceCandidate,
        HANDLERS::negotiation, HANDLERS.toggle("mic-toggle")::handle, HANDLERS.toggle("cam-toggle")::handle,
    };

    @FuzzTest(maxDuration = "5m")
    void event(byte[] input) {
        if (input.length == 0) return;
        Event handler = HANDLED[(input[0] & 0xff) % HANDLED.length];
        String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> placeholder : PLACEHOLDERS.entrySet()) {
            text = text.replace(placeholder.getKey(), placeholder.getValue());
        }
        JsonNode data;
        try {
            data = JSON.readTree(text);
        } catch (Exception notJson) {
            return; // netty-socketio drops an event whose arguments are not JSON before any listener runs
        }
        // WorkspacesEvents.on drops every argument that is not an object.
        if (!(data instanceof ObjectNode object)) return;

        FakeClient sender = new FakeClient();
        HANDLERS.connected(sender.proxy);
        OWNER.received.clear();
        GUEST.received.clear();
        Set<String> workspaces = new HashSet<>();
        try {
            long started = System.nanoTime();
            handler.handle(sender.proxy, object);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2_000);
            for (FakeClient client : List.of(sender, OWNER, GUEST)) {
                for (Object[] sent : client.received) {
                    String name = (String) sent[0];
                    assertThat(EVENTS).as("event sent").contains(name);
                    assertThat(sent).as("arguments of %s", name).hasSize(2);
                    if (sent[1] instanceof RawValue raw) JSON.readTree(raw.rawValue().toString());
                    if (name.equals("alert")) assertThat(ALERTS).contains((String) sent[1]);
                    if (name.equals("created") && sent[1] instanceof JsonNode created) {
                        workspaces.add(created.path("workspace").path("id").asText());
                    }
                }
            }
            workspaces.add(WORKSPACE);
            for (String id : workspaces) {
                ObjectNode workspace = DIALECT.store().get(id);
                if (workspace == null) continue;
                assertThat(workspace.path("id").asText(null)).isEqualTo(id);
                assertThat(workspace.path("owner").isTextual()).as("owner of %s", workspace).isTrue();
                assertThat(workspace.path("token").isTextual()).as("token of %s", workspace).isTrue();
                assertThat(workspace.get("attendees")).as("attendees of %s", workspace).isInstanceOf(ObjectNode.class);
                assertThat(workspace.get("socketMap")).as("socketMap of %s", workspace).isInstanceOf(ObjectNode.class);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("relayed argument is not JSON", e);
        } finally {
            HANDLERS.disconnected(sender.proxy);
            for (String id : workspaces) DIALECT.store().remove(id);
            DIALECT.store().remove(WORKSPACE);
            DIALECT.store().create(WORKSPACE, SNAPSHOT.deepCopy());
        }
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** A Socket.IO client that records what it is sent: event name and arguments. */
    private static final class FakeClient {
        final UUID id = UUID.randomUUID();
        final Map<String, Object> store = new ConcurrentHashMap<>();
        final List<Object[]> received = java.util.Collections.synchronizedList(new ArrayList<>());
        final SocketIOClient proxy = (SocketIOClient) Proxy.newProxyInstance(SocketIOClient.class.getClassLoader(),
                new Class<?>[] {SocketIOClient.class}, (self, method, args) -> switch (method.getName()) {
                    case "getSessionId" -> id;
                    case "get" -> store.get((String) args[0]);
                    case "set" -> {
                        store.put((String) args[0], args[1]);
                        yield null;
                    }
                    case "has" -> store.containsKey((String) args[0]);
                    case "del" -> {
                        store.remove((String) args[0]);
                        yield null;
                    }
                    case "sendEvent" -> {
                        Object[] extra = (Object[]) args[args.length - 1];
                        Object[] sent = new Object[1 + extra.length];
                        sent[0] = args[0];
                        System.arraycopy(extra, 0, sent, 1, extra.length);
                        received.add(sent);
                        yield null;
                    }
                    case "isChannelOpen" -> true;
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    case "toString" -> "FakeClient " + id;
                    default -> method.getReturnType() == boolean.class ? Boolean.FALSE
                            : method.getReturnType() == int.class ? Integer.valueOf(0) : null;
                });

        /** The argument of the one event of that name received so far. */
        JsonNode only(String name) {
            for (Object[] sent : received) {
                if (sent[0].equals(name)) return (JsonNode) sent[1];
            }
            throw new IllegalStateException("no " + name + " in " + received.size() + " events");
        }
    }
}
