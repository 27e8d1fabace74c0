package dev.brisk.monitor.search;

import java.util.List;
import java.util.Map;

/** Decides after each evaluation of a running trial whether to stop it. */
public interface Pruner {

    /**
     * @param trialId the trial just evaluated
     * @param curves  every trial's scores so far (higher is better), by trial id, this one included; finished
     *                trials keep theirs (failed ones are left out)
     * @return whether to stop the trial now
     */
    boolean shouldStop(int trialId, Map<Integer, List<Double>> curves);

    static Pruner named(String name) {
        return switch (name) {
            case "none" -> (id, curves) -> false;
            case "median" -> new MedianPruner(1, 3);
            case "asha" -> new AshaPruner(1, 3);
            default -> throw new IllegalArgumentException("--pruner: expected none, median or asha, got '" + name
                    + "'");
        };
    }
}
