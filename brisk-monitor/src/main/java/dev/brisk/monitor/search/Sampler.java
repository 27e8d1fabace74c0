package dev.brisk.monitor.search;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** Chooses the parameters of the next trial from the space and the finished trials. */
public interface Sampler {

    /**
     * The next assignment (active parameters only, in space order), or null when the sampler has nothing left
     * (an exhausted grid). {@code rng} is seeded per trial, so a resumed search draws what it would have drawn.
     */
    Map<String, Object> sample(SearchSpace space, List<Trial> finished, Goal goal, int trialId, Random rng);

    /** random, grid or tpe. */
    static Sampler named(String name, int trials) {
        return switch (name) {
            case "random" -> new RandomSampler();
            case "grid" -> new GridSampler(GridSampler.DEFAULT_POINTS);
            case "tpe" -> new TpeSampler(Math.min(10, Math.max(3, trials / 3)));
            default -> throw new IllegalArgumentException("--sampler: expected random, grid or tpe, got '" + name
                    + "'");
        };
    }

    /** Rounds to 6 significant digits: the value a trial records is exactly the one its config gets. */
    static double round(double v) {
        return Double.parseDouble(SearchSpace.format(v));
    }
}
