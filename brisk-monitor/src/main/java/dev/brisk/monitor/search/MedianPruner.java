package dev.brisk.monitor.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The median stopping rule (Golovin et al. 2017, Google Vizier): after evaluation k (k ≥ {@code warmupEvals}), stop
 * a trial whose best score so far is below the median of the other trials' best scores over their first k
 * evaluations, once at least {@code minTrials} others have reached k.
 */
public final class MedianPruner implements Pruner {

    private final int warmupEvals;
    private final int minTrials;

    public MedianPruner(int warmupEvals, int minTrials) {
        this.warmupEvals = warmupEvals;
        this.minTrials = minTrials;
    }

    @Override
    public boolean shouldStop(int trialId, Map<Integer, List<Double>> curves) {
        List<Double> mine = curves.get(trialId);
        int k = mine.size();
        if (k < warmupEvals) {
            return false;
        }
        List<Double> others = new ArrayList<>();
        curves.forEach((id, c) -> {
            if (id != trialId && c.size() >= k) {
                others.add(bestOf(c, k));
            }
        });
        if (others.size() < minTrials) {
            return false;
        }
        others.sort(null);
        int n = others.size();
        double median = n % 2 == 1 ? others.get(n / 2) : (others.get(n / 2 - 1) + others.get(n / 2)) / 2;
        return bestOf(mine, k) < median;
    }

    private static double bestOf(List<Double> c, int k) {
        double b = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            b = Math.max(b, c.get(i));
        }
        return b;
    }
}
