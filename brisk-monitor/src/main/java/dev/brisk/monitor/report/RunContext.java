package dev.brisk.monitor.report;

/**
 * The settings the suggestions talk about: they name the config key to change and its current value.
 *
 * @param threads      compute threads of one process
 * @param batchSize    {@code data.batch_size} (per process)
 * @param accumulation {@code accumulation}
 * @param workers      {@code data.workers}
 * @param worldSize    processes training together (1 without data parallelism)
 * @param precision    {@code precision}
 */
public record RunContext(int threads, int batchSize, int accumulation, int workers, int worldSize, String precision) {
}
