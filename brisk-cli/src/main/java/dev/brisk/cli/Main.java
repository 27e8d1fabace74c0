package dev.brisk.cli;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code brisk} command. Exit codes: 0 success, 2 bad usage or bad input (the message names the file or
 * field), 1 anything else.
 */
@Command(name = "brisk", mixinStandardHelpOptions = true, version = "Brisk 0.1.0",
        description = "Fast neural-network training on the JVM.",
        footer = {"", "  launch --nproc N [--master-port P] [--max-restarts K] -- COMMAND ...",
            "         run COMMAND in N processes with RANK/WORLD_SIZE/master address set, output prefixed by rank"},
        subcommands = {InfoCommand.class, BenchCommand.class, TrainCommand.class, EvalCommand.class,
            TuneCommand.class, DashboardCommand.class, PruneCommand.class, QuantizeCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // one line per log record, on stderr, so '--json' output on stdout stays clean
        System.setProperty("java.util.logging.SimpleFormatter.format", "brisk: %5$s%6$s%n");
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        if (args.length > 0 && args[0].equals("launch")) {
            // brisk launch --nproc N [--master-port P] [--max-restarts K] -- train ...: N JVMs running this CLI
            try {
                return dev.brisk.dist.launch.Launcher.launch(Main.class.getName(),
                        java.util.Arrays.copyOfRange(args, 1, args.length));
            } catch (IllegalArgumentException e) {
                System.err.println("brisk: launch: " + e.getMessage());
                return 2;
            }
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException || ex instanceof IllegalArgumentException) {
                cmd.getErr().println("brisk: " + ex.getMessage());
                return 2;
            }
            cmd.getErr().println("brisk: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("brisk: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every compute command takes: applied before the command runs. */
    static final class RuntimeOptions {
        @Option(names = "--threads", paramLabel = "N",
                description = "intra-op threads (default: BRISK_THREADS or the number of cores)")
        Integer threads;

        @Option(names = "--backend", paramLabel = "NAME",
                description = "kernel backend: reference, cpu, blas (default: BRISK_BACKEND or the best available)")
        String backend;

        void apply() {
            if (threads != null) {
                if (threads < 1) {
                    throw new UsageException("--threads must be at least 1, got " + threads);
                }
                Parallel.setThreads(threads);
            }
            if (backend != null) {
                try {
                    Kernels.use(backend);
                } catch (IllegalStateException e) {
                    throw new UsageException(e.getMessage());
                }
            }
        }
    }
}
