package io.signalman.core;

/**
 * Where the core delivers events for one peer: usually a connection's encoder. Called from any
 * thread, possibly concurrently; implementations must not block and must not call back into the
 * core synchronously (they hand the event to their own connection and return).
 */
@FunctionalInterface
public interface Outlet {
    void deliver(Event event);
}
