package dev.brisk.monitor.search;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a trial's training run in its own run directory, where it writes metrics.jsonl. */
public interface TrialRunner {

    /** A started trial. */
    interface Handle {
        /** Called on every turn of the search loop (a synthetic trial advances here; a process needs nothing). */
        default void poll() {
        }

        boolean alive();

        /** The exit status once it is not alive (0: success). */
        int exitCode();

        /** Stops it (pruning, interruption); returns once it has stopped. */
        void stop();

        /** Why it failed, from its output, for the trial record. */
        default String failure() {
            return "exit status " + exitCode();
        }
    }

    Handle start(Path runDir, List<String> sets) throws IOException;

    /**
     * Runs {@code command --run-dir DIR --set k=v ...} as a process per trial, its output in {@code DIR/trial.log}.
     */
    static TrialRunner processes(List<String> command) {
        List<String> base = List.copyOf(command);
        return (runDir, sets) -> {
            java.nio.file.Files.createDirectories(runDir);
            List<String> cmd = new ArrayList<>(base);
            cmd.add("--run-dir");
            cmd.add(runDir.toString());
            for (String s : sets) {
                cmd.add("--set");
                cmd.add(s);
            }
            Path log = runDir.resolve("trial.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Handle() {
                @Override
                public boolean alive() {
                    return p.isAlive();
                }

                @Override
                public int exitCode() {
                    return p.exitValue();
                }

                @Override
                public void stop() {
                    p.destroy();
                    try {
                        if (!p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                            p.destroyForcibly().waitFor();
                        }
                    } catch (InterruptedException e) {
                        p.destroyForcibly();
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String failure() {
                    try {
                        List<String> lines = java.nio.file.Files.readAllLines(log);
                        String last = lines.stream().filter(l -> l.startsWith("brisk: ")).reduce((a, b) -> b)
                                .orElse(lines.isEmpty() ? "" : lines.getLast());
                        return "exit status " + p.exitValue() + (last.isEmpty() ? "" : ": " + last);
                    } catch (IOException e) {
                        return "exit status " + p.exitValue();
                    }
                }
            };
        };
    }
}
