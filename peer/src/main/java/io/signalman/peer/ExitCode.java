package io.signalman.peer;

/** The peer's exit statuses; scripts and tests tell outcomes apart by them (listed in --help and docs/peer.md). */
public final class ExitCode {
    /** Connected, greeted, and every requested message or file went through. */
    public static final int OK = 0;
    /** An unexpected error. */
    public static final int FAILURE = 1;
    /** Bad command line (picocli's own usage status). */
    public static final int USAGE = 2;
    /** The signaling server could not be reached, or refused the session. */
    public static final int SERVER_UNREACHABLE = 3;
    /** The remote peer is unknown to the server, or ICE found no path to it. */
    public static final int PEER_UNREACHABLE = 4;
    /** Connecting to the server or opening the data channel took longer than --timeout. */
    public static final int TIMEOUT = 5;
    /** A file transfer failed: the receiver's SHA-256 differed, or the file could not be read or saved. */
    public static final int TRANSFER_FAILED = 6;

    private ExitCode() {
    }
}
