package io.signalman;

/** Lets tests in other packages run the command line without exiting the JVM. */
public final class MainAccess {
    private MainAccess() {}

    public static int run(String... args) {
        return Main.run(args);
    }
}
