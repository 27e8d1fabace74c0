package dev.brisk.monitor.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Independent draws from each parameter's prior (log-uniform where the parameter is log-scaled). */
public final class RandomSampler implements Sampler {

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> finished, Goal goal, int trialId, Random rng) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : space.params()) {
            if (p.activeGiven(out)) {
                out.put(p.key(), draw(p, rng));
            }
        }
        return out;
    }

    static Object draw(Param p, Random rng) {
        return switch (p) {
            case Param.Real r -> Sampler.round(r.fromInternal(uniform(rng, r.toInternal(r.low()),
                    r.toInternal(r.high()))));
            case Param.Int i -> i.fromInternal(uniform(rng, i.internalLow(), i.internalHigh()));
            case Param.Choice c -> c.values().get(rng.nextInt(c.values().size()));
        };
    }

    static double uniform(Random rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
