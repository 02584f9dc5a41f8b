package io.signalman;

import io.signalman.config.EnvironmentDefaults;
import io.signalman.config.ServeCommand;
import picocli.CommandLine;

/** Entry point of {@code bin/signalman}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
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
