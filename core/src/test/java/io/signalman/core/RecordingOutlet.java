package io.signalman.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An outlet that keeps what it is given, for assertions. */
final class RecordingOutlet implements Outlet {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void deliver(Event event) {
        events.add(event);
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<String> relayedTexts() {
        return of(Event.Relayed.class).stream().map(r -> new String(r.payload())).toList();
    }
}
