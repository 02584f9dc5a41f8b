package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of the peer: connect to the signaling server, open data channel {@code test} with one
 * remote peer (offering or answering), greet, then send messages or a file and receive the same.
 *
 * <p>Threads: libwebrtc calls back on its own threads and must never wait for this class, so every
 * state change runs on the single {@code control} thread (callbacks only post to it); incoming
 * data-channel messages are handled in order on the {@code inbox} thread, which may write to disk;
 * the main thread waits on futures and sends.
 */
public final class PeerSession implements Signaling.Listener {
    static final String CHANNEL = "test";
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final PeerOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final boolean terminal;

    private final ExecutorService control = Executors.newSingleThreadExecutor(daemon("control"));
    private final ExecutorService inbox = Executors.newSingleThreadExecutor(daemon("inbox"));

    private final CompletableFuture<Void> negotiating = new CompletableFuture<>();
    private final CompletableFuture<Void> open = new CompletableFuture<>();
    private final CompletableFuture<String> greeting = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final CompletableFuture<Integer> failed = new CompletableFuture<>();
    private final CompletableFuture<Void> stdinDone = new CompletableFuture<>();
    private final CompletableFuture<Void> channelClosed = new CompletableFuture<>();
    private volatile CompletableFuture<JsonNode> fileResult = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Object drain = new Object();
    private volatile boolean receiveFailed;

    private PeerConnectionFactory factory;
    private Signaling signaling;
    // Confined to the control thread, except the volatile ones that the main thread reads.
    private volatile RTCPeerConnection pc;
    private volatile RTCDataChannel channel;
    private volatile String remoteId;
    private boolean remoteDescriptionSet;
    private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>();
    private FileReceiver receiver;
    private Progress receiveProgress;

    public PeerSession(PeerOptions options, PrintStream out, PrintStream err, InputStream in, boolean terminal) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.in = in;
        this.terminal = terminal;
    }

    /** Runs the session to its end and returns the exit status ({@link ExitCode}). */
    public int run() {
        try {
            return runUnchecked();
        } catch (Exception e) {
            err.println("Error: " + e);
            return ExitCode.FAILURE;
        } finally {
            shutdown();
        }
    }

    private int runUnchecked() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "peer-shutdown"));
        int connected = connectSignaling();
        if (connected != ExitCode.OK) return connected;
        // The factory without an audio module would look for a sound card and abort the JVM where there is none.
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        receiver = new FileReceiver(options.receiveDir(), new ReceiveListener());
        out.println("The local ID is: " + signaling.localId());
        out.flush();

        boolean stdinMessages = options.sendText() == null && options.sendFile() == null;
        if (options.connectTo() != null) {
            control.execute(() -> offer(options.connectTo()));
        } else if (options.readStdin()) {
            prompt();
        }
        if (options.readStdin()) startStdinReader(stdinMessages);

        // Waiting for someone to offer is unbounded, as in the original; once an offer is made or
        // received, the channel must open within the timeout.
        CompletableFuture.anyOf(negotiating, failed).get();
        if (failed.isDone()) return failed.get();
        int status = await(open, "the data channel to " + remoteId + " to open");
        if (status != ExitCode.OK) return status;
        status = await(greeting, "the greeting from " + remoteId);
        if (status != ExitCode.OK) return status;

        if (!stdinMessages) {
            status = ExitCode.OK;
            if (options.sendText() != null) sendText(options.sendText());
            if (options.sendFile() != null) status = sendFile();
            closeChannelGracefully();
            return status;
        }
        // Messages from stdin (or none): the session lasts until stdin ends or the remote peer leaves.
        CompletableFuture.anyOf(stdinDone, ended).get();
        closeChannelGracefully();
        return receiveFailed ? ExitCode.TRANSFER_FAILED : ExitCode.OK;
    }

    private int connectSignaling() {
        try {
            if (options.protocol() == PeerOptions.Protocol.NATIVE) {
                signaling = NativeSignaling.connect(options.signalingUrl(), options.room(), options.timeout(), this);
            } else {
                String id = options.localId() != null ? options.localId() : randomId(4);
                signaling = DirectSignaling.connect(options.signalingUrl(), id, options.timeout(), this);
            }
            return ExitCode.OK;
        } catch (TimeoutException e) {
            err.println("Timed out connecting to the signaling server at " + options.signalingUrl());
            return ExitCode.TIMEOUT;
        } catch (NativeSignaling.Refused e) {
            err.println("The signaling server at " + options.signalingUrl() + " refused the session: " + e.getMessage());
            return ExitCode.SERVER_UNREACHABLE;
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.net.http.HttpTimeoutException) {
                err.println("Timed out connecting to the signaling server at " + options.signalingUrl());
                return ExitCode.TIMEOUT;
            }
            String why = cause instanceof ConnectException ? "connection refused" : String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
            err.println("Cannot reach the signaling server at " + options.signalingUrl() + ": " + why);
            return ExitCode.SERVER_UNREACHABLE;
        }
    }

    private int await(CompletableFuture<?> step, String what) throws Exception {
        try {
            CompletableFuture.anyOf(step, failed).get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.println("Timed out after " + options.timeout().toSeconds() + " s waiting for " + what);
            return ExitCode.TIMEOUT;
        }
        return failed.isDone() ? failed.get() : ExitCode.OK;
    }

    private void prompt() {
        out.println("Enter a remote ID to send an offer:");
        out.flush();
    }

    private void startStdinReader(boolean messages) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!negotiating.isDone()) {
                        String id = line.strip();
                        // The original ignores ids of two characters or fewer and asks again.
                        if (id.length() <= 2) {
                            prompt();
                        } else {
                            control.execute(() -> offer(id));
                        }
                    } else if (messages) {
                        try {
                            open.get();
                            sendText(line);
                        } catch (Exception e) {
                            return;
                        }
                    }
                }
            } catch (Exception e) {
                // stdin failed: treat as its end
            } finally {
                stdinDone.complete(null);
            }
        }, "stdin");
        reader.setDaemon(true);
        reader.start();
    }

    // ---- negotiation (control thread) ----

    private RTCPeerConnection newPeerConnection(String remote) {
        RTCConfiguration config = new RTCConfiguration();
        List<IceServerSpec> servers = options.iceServers() != null ? options.iceServers() : signaling.iceServers();
        for (IceServerSpec server : servers) config.iceServers.add(server.toRtc());
        remoteId = remote;
        negotiating.complete(null);
        return factory.createPeerConnection(config, new Observer());
    }

    private void offer(String remote) {
        if (pc != null) return;
        out.println("Sending an offer to " + remote);
        out.flush();
        pc = newPeerConnection(remote);
        RTCDataChannel dc = pc.createDataChannel(CHANNEL, new RTCDataChannelInit());
        bindChannel(dc);
        pc.createOffer(new RTCOfferOptions(), new Created(RTCSdpType.OFFER));
    }

    @Override
    public void onSignal(String from, JsonNode payload) {
        control.execute(() -> handleSignal(from, payload));
    }

    private void handleSignal(String from, JsonNode payload) {
        String type = payload.path("type").asText();
        switch (type) {
            case "offer" -> {
                if (pc != null) {
                    err.println("Ignoring an offer from " + from + ": already connecting to " + remoteId);
                    return;
                }
                out.println("Offer received from " + from);
                out.flush();
                pc = newPeerConnection(from);
                pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, payload.path("description").asText()), new Applied(() -> {
                    remoteDescriptionApplied();
                    pc.createAnswer(new RTCAnswerOptions(), new Created(RTCSdpType.ANSWER));
                }));
            }
            case "answer" -> {
                if (pc == null || !from.equals(remoteId)) return;
                pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, payload.path("description").asText()),
                        new Applied(this::remoteDescriptionApplied));
            }
            case "candidate" -> {
                if (pc == null || !from.equals(remoteId)) return;
                RTCIceCandidate candidate = Candidates.fromWire(payload.path("candidate").asText(), payload.path("mid").asText("0"));
                if (remoteDescriptionSet) pc.addIceCandidate(candidate);
                else pendingCandidates.add(candidate);
            }
            default -> {
                // Not part of the seed-004 exchange.
            }
        }
    }

    private void remoteDescriptionApplied() {
        remoteDescriptionSet = true;
        for (RTCIceCandidate candidate : pendingCandidates) pc.addIceCandidate(candidate);
        pendingCandidates.clear();
    }

    @Override
    public void onPeerUnavailable(String to, String message) {
        err.println("The remote peer is unreachable: " + message);
        failed.complete(ExitCode.PEER_UNREACHABLE);
    }

    @Override
    public void onNotice(String text) {
        out.println(text);
        out.flush();
    }

    @Override
    public void onClosed() {
        // Signaling is only needed until the channel opens; say so only if it ends before that.
        if (!open.isDone() && !closing.get()) {
            err.println("The signaling server closed the connection");
            failed.complete(ExitCode.SERVER_UNREACHABLE);
        }
    }

    /** Creates a description, sends it, then applies it: sending first keeps it ahead of our candidates. */
    private final class Created implements CreateSessionDescriptionObserver {
        private final RTCSdpType type;

        Created(RTCSdpType type) {
            this.type = type;
        }

        @Override
        public void onSuccess(RTCSessionDescription description) {
            control.execute(() -> {
                String wireType = type == RTCSdpType.OFFER ? "offer" : "answer";
                signaling.send(remoteId, JsonSocket.JSON.createObjectNode().put("type", wireType).put("description", description.sdp));
                pc.setLocalDescription(description, new Applied(() -> { }));
            });
        }

        @Override
        public void onFailure(String error) {
            err.println("Could not create the " + type + ": " + error);
            failed.complete(ExitCode.FAILURE);
        }
    }

    private final class Applied implements SetSessionDescriptionObserver {
        private final Runnable then;

        Applied(Runnable then) {
            this.then = then;
        }

        @Override
        public void onSuccess() {
            control.execute(then);
        }

        @Override
        public void onFailure(String error) {
            err.println("Could not apply a session description: " + error);
            failed.complete(ExitCode.FAILURE);
        }
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            control.execute(() -> {
                ObjectNode wire = JsonSocket.JSON.createObjectNode().put("type", "candidate")
                        .put("candidate", Candidates.toWire(candidate.sdp)).put("mid", candidate.sdpMid);
                signaling.send(remoteId, wire);
            });
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            if (state == RTCPeerConnectionState.FAILED) {
                if (!open.isDone()) {
                    err.println("No network path to " + remoteId + " (ICE failed)");
                    failed.complete(ExitCode.PEER_UNREACHABLE);
                } else {
                    remoteGone();
                }
            } else if (state == RTCPeerConnectionState.CLOSED && open.isDone()) {
                remoteGone();
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel dc) {
            control.execute(() -> {
                if (CHANNEL.equals(dc.getLabel()) && channel == null) bindChannel(dc);
            });
        }
    }

    // ---- the data channel ----

    private void bindChannel(RTCDataChannel dc) {
        channel = dc;
        dc.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
                synchronized (drain) {
                    drain.notifyAll();
                }
            }

            @Override
            public void onStateChange() {
                control.execute(() -> channelState(dc.getState()));
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                // The buffer is native memory that is freed when this callback returns: copy it now.
                byte[] data = new byte[buffer.data.remaining()];
                buffer.data.get(data);
                boolean binary = buffer.binary;
                inbox.execute(() -> receive(data, binary));
            }
        });
        // An answerer's channel can be open already when it is handed over.
        channelState(dc.getState());
    }

    /** Set by the first report of an open channel (two threads may report it). */
    private final AtomicBoolean greeted = new AtomicBoolean();

    private void channelState(RTCDataChannelState state) {
        if (state == RTCDataChannelState.OPEN && greeted.compareAndSet(false, true)) {
            out.println("Connected to " + remoteId + " over data channel '" + CHANNEL + "'");
            out.flush();
            // The greeting goes first: whatever waits for the channel to open (typed lines, a file)
            // is let go only after it.
            sendText("Hello from " + signaling.localId());
            open.complete(null);
        } else if (state == RTCDataChannelState.CLOSED) {
            channelClosed.complete(null);
            synchronized (drain) {
                drain.notifyAll();
            }
            if (open.isDone()) remoteGone();
        }
    }

    private final AtomicBoolean gone = new AtomicBoolean();

    private void remoteGone() {
        // The channel's close and the connection's close both report the end; tell it once.
        if (!gone.compareAndSet(false, true)) return;
        if (!closing.get()) {
            out.println("The connection to " + remoteId + " closed");
            out.flush();
        }
        fileResult.completeExceptionally(new IllegalStateException("the connection closed"));
        inbox.execute(() -> {
            try {
                receiver.abandon();
            } catch (Exception e) {
                // a half-written .part file that could not be removed is harmless
            }
            ended.complete(null);
        });
    }

    private void receive(byte[] data, boolean binary) {
        if (!binary) {
            String text = new String(data, StandardCharsets.UTF_8);
            out.println("Message from " + remoteId + ": " + text);
            out.flush();
            greeting.complete(text);
            return;
        }
        try {
            FileFrames.Frame frame = FileFrames.decode(data);
            if (frame.kind() == FileFrames.RESULT) {
                fileResult.complete(frame.json());
                return;
            }
            byte[] reply = receiver.accept(frame);
            if (reply != null) sendBinary(reply);
        } catch (Exception e) {
            err.println("Dropped a binary message from " + remoteId + ": " + e.getMessage());
        }
    }

    void sendText(String text) {
        send(text.getBytes(StandardCharsets.UTF_8), false);
    }

    private void sendBinary(byte[] frame) throws Exception {
        RTCDataChannel dc = channel;
        if (dc == null) throw new IllegalStateException("no data channel");
        // webrtc-java sends a heap buffer's whole backing array, so each frame is its own exact-size array.
        dc.send(new RTCDataChannelBuffer(ByteBuffer.wrap(frame), true));
    }

    private void send(byte[] data, boolean binary) {
        try {
            channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(data), binary));
        } catch (Exception e) {
            err.println("Could not send to " + remoteId + ": " + e.getMessage());
        }
    }

    private int sendFile() throws Exception {
        long size = Files.size(options.sendFile());
        String name = options.sendFile().getFileName().toString();
        out.println("Sending file " + name + " (" + size + " bytes) to " + remoteId);
        out.flush();
        fileResult = new CompletableFuture<>();
        Progress progress = new Progress("send " + name, size, terminal ? out : null, System.nanoTime());
        String sha256;
        try {
            sha256 = new FileSender(new ChannelSink(), options.timeout().toMillis())
                    .send(options.sendFile(), sent -> progress.update(sent, System.nanoTime()));
        } catch (Exception e) {
            err.println("Sending " + name + " failed: " + e.getMessage());
            return ExitCode.TRANSFER_FAILED;
        }
        JsonNode result;
        try {
            result = fileResult.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.println("Timed out waiting for " + remoteId + " to confirm " + name);
            return ExitCode.TIMEOUT;
        } catch (ExecutionException e) {
            err.println("Sending " + name + " failed: " + e.getCause().getMessage());
            return ExitCode.TRANSFER_FAILED;
        }
        if (result.path("ok").asBoolean() && sha256.equalsIgnoreCase(result.path("sha256").asText())) {
            out.println("Sent " + name + " (" + size + " bytes), SHA-256 " + sha256 + " confirmed by " + remoteId);
            out.flush();
            return ExitCode.OK;
        }
        err.println("The receiver rejected " + name + ": it computed SHA-256 " + result.path("sha256").asText() + ", the file has " + sha256);
        return ExitCode.TRANSFER_FAILED;
    }

    /** The data channel as a {@link FrameSink}, woken by libwebrtc's buffered-amount callbacks. */
    private final class ChannelSink implements FrameSink {
        @Override
        public void send(byte[] frame) throws Exception {
            sendBinary(frame);
        }

        @Override
        public long bufferedAmount() {
            return channel.getBufferedAmount();
        }

        @Override
        public boolean awaitBufferedAtMost(long bytes, long timeoutMillis) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            synchronized (drain) {
                while (channel.getBufferedAmount() > bytes) {
                    if (channelClosed.isDone() || ended.isDone()) throw new IllegalStateException("the connection closed");
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) return false;
                    // Woken by onBufferedAmountChange; the bound covers a wake-up that came before the wait.
                    drain.wait(Math.min(left, 50));
                }
            }
            return true;
        }
    }

    /**
     * Lets what was sent arrive before the connection goes: wait for the send buffer to empty, then
     * close the channel and wait for the close to complete, which the remote acknowledges only after
     * it has every message sent before it.
     */
    private void closeChannelGracefully() {
        closing.set(true);
        RTCDataChannel dc = channel;
        if (dc == null || channelClosed.isDone()) return;
        try {
            new ChannelSink().awaitBufferedAtMost(0, 5000);
            dc.close();
            channelClosed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the remote is gone already, or slow to confirm: closing the connection is all that is left
        }
    }

    private final AtomicBoolean shutDown = new AtomicBoolean();

    private void shutdown() {
        if (!shutDown.compareAndSet(false, true)) return;
        closing.set(true);
        RTCPeerConnection connection = pc;
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception e) {
                // exiting anyway
            }
        }
        if (signaling != null) signaling.close();
        // The factory is not disposed: the process ends next, and disposing native objects while
        // libwebrtc threads finish up is what crashes a JVM at exit.
        out.flush();
    }

    private final class ReceiveListener implements FileReceiver.Listener {
        @Override
        public void started(String name, long size) {
            out.println("Receiving file " + name + " (" + size + " bytes) from " + remoteId);
            out.flush();
            receiveProgress = new Progress("receive " + name, size, terminal ? out : null, System.nanoTime());
        }

        @Override
        public void progress(long received, long size) {
            receiveProgress.update(received, System.nanoTime());
        }

        @Override
        public void finished(FileReceiver.Received received) {
            if (received.ok()) {
                out.println("Received " + received.name() + " (" + received.size() + " bytes), SHA-256 " + received.actualSha256()
                        + " verified, saved to " + received.path());
                out.flush();
            } else {
                receiveFailed = true;
                err.println("Received " + received.name() + " but discarded it: " + received.problem() + " (sender's SHA-256 "
                        + received.expectedSha256() + ", received " + received.actualSha256() + ")");
            }
        }
    }

    static String randomId(int length) {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        return id.toString();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
