package io.signalman;

import io.netty.util.ResourceLeakDetector;
import io.signalman.config.EnvironmentDefaults;
import io.signalman.config.ServeCommand;
import picocli.CommandLine;

/** Entry point of {@code bin/signalman}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        quietLeakDetection();
        System.exit(run(args));
    }

    /**
     * Netty's leak detector, on by default, takes a stack trace of one buffer allocation in 128:
     * several microseconds per connection and per relay that a running server pays for a debugging
     * aid. The tests keep it on (they do not start here); {@code -Dio.netty.leakDetection.level}
     * turns it back on for a server that is being debugged.
     */
    private static void quietLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** Runs the command line and returns the exit status: 0 done, 1 failure, 2 invalid configuration. */
    static int run(String[] args) {
        CommandLine cli = new CommandLine(new ServeCommand())
                .setDefaultValueProvider(EnvironmentDefaults.system())
                .setParameterExceptionHandler((e, a) -> {
                    System.err.println("signalman: " + e.getMessage());
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    System.err.println("signalman: " + e.getMessage());
                    return e instanceof SignalmanServer.BindFailure || e instanceof IllegalArgumentException ? 2 : 1;
                });
        return cli.execute(args);
    }
}
