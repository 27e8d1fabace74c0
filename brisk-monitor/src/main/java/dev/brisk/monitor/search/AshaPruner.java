package dev.brisk.monitor.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asynchronous successive halving (ASHA; Li et al. 2020), in its stopping form: rungs are at evaluations
 * r·η⁰, r·η¹, r·η², ... ({@code minEvals} = r, {@code eta} = η). A trial reaching a rung continues only if its score
 * there is among the top 1/η of the scores every trial has had at that rung so far (with fewer than η trials there,
 * it must match the best), so about one trial in η goes on to the next rung without waiting for the others.
 */
public final class AshaPruner implements Pruner {

    private final int minEvals;
    private final int eta;

    public AshaPruner(int minEvals, int eta) {
        if (minEvals < 1 || eta < 2) {
            throw new IllegalArgumentException("ASHA needs min evaluations ≥ 1 and η ≥ 2, got " + minEvals + ", "
                    + eta);
        }
        this.minEvals = minEvals;
        this.eta = eta;
    }

    /** Whether evaluation {@code k} (1-based) is a rung. */
    boolean isRung(int k) {
        long r = minEvals;
        while (r < k) {
            r *= eta;
        }
        return r == k;
    }

    @Override
    public boolean shouldStop(int trialId, Map<Integer, List<Double>> curves) {
        List<Double> mine = curves.get(trialId);
        int k = mine.size();
        if (k == 0 || !isRung(k)) {
            return false;
        }
        List<Double> atRung = new ArrayList<>();
        curves.forEach((id, c) -> {
            if (c.size() >= k) {
                atRung.add(c.get(k - 1));
            }
        });
        atRung.sort((a, b) -> Double.compare(b, a));
        int idx = Math.max(0, atRung.size() / eta - 1);
        return mine.get(k - 1) < atRung.get(idx);
    }
}
