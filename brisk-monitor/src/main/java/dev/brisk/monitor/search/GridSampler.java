package dev.brisk.monitor.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Every combination of a grid, in order: categorical parameters contribute all their values, integer ranges all
 * their values up to {@code points} (else {@code points} spread evenly), real ranges {@code points} values from low
 * to high (log-spaced when log-scaled). Combinations that differ only in inactive parameters count once. Trial k
 * gets combination k; beyond the grid there is nothing left.
 */
public final class GridSampler implements Sampler {

    static final int DEFAULT_POINTS = 5;
    private final int points;
    private List<Map<String, Object>> grid;

    public GridSampler(int points) {
        if (points < 2) {
            throw new IllegalArgumentException("grid points per range must be ≥ 2, got " + points);
        }
        this.points = points;
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> finished, Goal goal, int trialId, Random rng) {
        if (grid == null) {
            grid = build(space);
        }
        return trialId - 1 < grid.size() ? grid.get(trialId - 1) : null;
    }

    /** The grid's combinations, in order. */
    public List<Map<String, Object>> build(SearchSpace space) {
        List<Map<String, Object>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (Param p : space.params()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> c : combos) {
                if (!p.activeGiven(c)) {
                    next.add(c);
                    continue;
                }
                for (Object v : values(p)) {
                    Map<String, Object> m = new LinkedHashMap<>(c);
                    m.put(p.key(), v);
                    next.add(m);
                }
            }
            combos = next;
        }
        return new ArrayList<>(new LinkedHashSet<>(combos));
    }

    private List<Object> values(Param p) {
        List<Object> out = new ArrayList<>();
        switch (p) {
            case Param.Choice c -> out.addAll(c.values());
            case Param.Int i -> {
                if (i.high() - i.low() + 1 <= points) {
                    for (long v = i.low(); v <= i.high(); v++) {
                        out.add(v);
                    }
                } else {
                    double lo = i.toInternal(i.low());
                    double hi = i.toInternal(i.high());
                    for (int k = 0; k < points; k++) {
                        long v = i.fromInternal(lo + (hi - lo) * k / (points - 1));
                        if (!out.contains(v)) {
                            out.add(v);
                        }
                    }
                }
            }
            case Param.Real r -> {
                double lo = r.toInternal(r.low());
                double hi = r.toInternal(r.high());
                for (int k = 0; k < points; k++) {
                    out.add(Sampler.round(r.fromInternal(lo + (hi - lo) * k / (points - 1))));
                }
            }
        }
        return out;
    }
}
