package dev.brisk.cli;

import dev.brisk.monitor.search.Goal;
import dev.brisk.monitor.search.Pruner;
import dev.brisk.monitor.search.Sampler;
import dev.brisk.monitor.search.Search;
import dev.brisk.monitor.search.SearchSpace;
import dev.brisk.monitor.search.Trial;
import dev.brisk.monitor.search.TrialRunner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brisk tune search [CONFIG] --space SPACE.yaml --trials N [--parallel P]}: a hyperparameter search whose
 * trials are {@code brisk train} runs in separate processes (see dev.brisk.monitor.search.Search and
 * docs/MONITORING.md). Running it again with {@code --search-dir} of an interrupted search continues it.
 */
@Command(name = "search", description = "Hyperparameter search: random, grid or TPE sampling, median or ASHA pruning"
        + " on the eval metric, P trials at a time, each a normal run directory; resumable.")
final class TuneSearchCommand implements Callable<Integer> {

    static final String SPACE_COPY = "space.yaml";

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML config (default: built-in)")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key for every trial")
    List<String> sets = new ArrayList<>();

    @Option(names = "--space", paramLabel = "FILE", description = "the search space (YAML); default: the copy in "
            + "--search-dir when continuing a search")
    Path spaceFile;

    @Option(names = "--trials", paramLabel = "N", description = "trials in all (default 16)")
    int trials = 16;

    @Option(names = "--parallel", paramLabel = "P", description = "trials at a time (default 1)")
    int parallel = 1;

    @Option(names = "--sampler", paramLabel = "NAME", description = "random, grid or tpe (default tpe)")
    String sampler = "tpe";

    @Option(names = "--pruner", paramLabel = "NAME", description = "none, median or asha (default asha)")
    String pruner = "asha";

    @Option(names = "--metric", paramLabel = "NAME", description = "eval record field to optimise (default "
            + "eval_accuracy)")
    String metric = "eval_accuracy";

    @Option(names = "--mode", paramLabel = "MODE", description = "max, min or auto (min for a loss; default auto)")
    String mode = "auto";

    @Option(names = "--seed", paramLabel = "S", description = "seed of the samplers (default 0)")
    long seed;

    @Option(names = "--search-dir", paramLabel = "DIR", description = "where trials.jsonl and the trial run "
            + "directories go (default runs/search-<timestamp>); an existing search there is continued")
    Path dir;

    @Option(names = "--threads", paramLabel = "N", description = "compute threads per trial (default: cores / P)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        if (dir == null) {
            dir = Path.of("runs", "search-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                    "yyyyMMdd-HHmmss")));
        }
        Path space = spaceFile != null ? spaceFile : dir.resolve(SPACE_COPY);
        if (!Files.isRegularFile(space)) {
            throw new UsageException(spaceFile == null ? "--space is required (no " + SPACE_COPY + " in " + dir
                    + " to continue from)" : "--space: no such file " + space);
        }
        SearchSpace sp;
        Sampler s;
        Pruner p;
        Goal goal;
        Search.Options options;
        try {
            sp = SearchSpace.load(space);
            s = Sampler.named(sampler, trials);
            p = Pruner.named(pruner);
            goal = Goal.of(metric, mode);
            options = new Search.Options(trials, parallel, goal, seed, 250);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        RunDirs.load(configFile, sets); // the base config must load on its own
        List<String> probe = new ArrayList<>(sets);
        probe.addAll(SearchSpace.toSets(new dev.brisk.monitor.search.RandomSampler().sample(sp, List.of(), goal, 1,
                new Random(seed))));
        try {
            RunDirs.load(configFile, probe);
        } catch (UsageException e) {
            throw new UsageException(space + ": a sampled configuration does not load: " + e.getMessage());
        }
        Files.createDirectories(dir);
        if (!space.toAbsolutePath().normalize().equals(dir.resolve(SPACE_COPY).toAbsolutePath().normalize())) {
            Files.copy(space, dir.resolve(SPACE_COPY), StandardCopyOption.REPLACE_EXISTING);
        }
        int perTrial = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
        System.out.printf(Locale.ROOT, "brisk tune search: %d trials, %d at a time (%d threads each), sampler %s, "
                + "pruner %s, %s %s; in %s%n", trials, parallel, perTrial, sampler, pruner,
                goal.maximize() ? "maximise" : "minimise", metric, dir.toAbsolutePath());
        List<Trial> done = new Search(sp, s, p, TrialRunner.processes(trainCommand(perTrial)), dir, options,
                System.out).run();
        return done.stream().anyMatch(t -> t.status() == Trial.Status.COMPLETE) ? 0 : 1;
    }

    /** {@code java FLAGS -cp CLASSPATH dev.brisk.cli.Main train [CONFIG] --set ... --threads N}. */
    private List<String> trainCommand(int perTrial) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!f.startsWith("-agentlib:jdwp") && !f.startsWith("-Xrunjdwp") && !f.startsWith("-Djava.class.path=")) {
                cmd.add(f);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("train");
        if (configFile != null) {
            cmd.add(configFile.toAbsolutePath().toString());
        }
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        cmd.add("--threads");
        cmd.add(Integer.toString(perTrial));
        return cmd;
    }
}
