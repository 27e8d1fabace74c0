package dev.brisk.cli;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Whether one memory series of a soak (heap after GC, RSS) grows like a leak. A leak is sustained growth, so the
 * samples after warm-up are fitted twice, over all of them and over their second half, and the series is growing
 * only when both least-squares slopes, projected over the whole measured span, reach the allowance of
 * max({@code slackBytes}, {@code slackFraction} × mean). A one-time step early in the run (the collector committing
 * more heap, a lazily created buffer) leaves the second half flat and passes; steady growth shows in both windows
 * and fails; a step late in the run shows in both and fails too, as a run that short cannot tell it from the start
 * of a leak.
 *
 * @param slopePer1000     bytes per 1,000 steps, fitted over every measured sample
 * @param lateSlopePer1000 bytes per 1,000 steps, fitted over the second half of the measured samples
 * @param growthBytes      the smaller slope times the measured span: the growth this run is charged with
 * @param allowedBytes     growth below this is flat
 */
record SoakVerdict(double slopePer1000, double lateSlopePer1000, double growthBytes, double allowedBytes) {

    /** The samples that are judged: all but the warm-up, the first fifth (at least one, never all). */
    static List<ResourceSample> measured(List<ResourceSample> samples) {
        int warm = Math.max(1, samples.size() / 5);
        return samples.subList(Math.min(warm, samples.size() - 1), samples.size());
    }

    /** Judges {@code value} over {@code measured} (already past warm-up, at least one sample). */
    static SoakVerdict judge(List<ResourceSample> measured, ToDoubleFunction<ResourceSample> value, long slackBytes,
                             double slackFraction) {
        int n = measured.size();
        // the second half, at least two samples so that it has a slope whenever the whole window has one
        List<ResourceSample> late = measured.subList(Math.max(0, Math.min(n / 2, n - 2)), n);
        double slope = ResourceSample.slopePer1000(measured, value);
        double lateSlope = ResourceSample.slopePer1000(late, value);
        long span = measured.getLast().step() - measured.getFirst().step();
        double mean = measured.stream().mapToDouble(value).average().orElse(0);
        return new SoakVerdict(slope, lateSlope, Math.min(slope, lateSlope) * span / 1000,
                Math.max(slackBytes, slackFraction * mean));
    }

    boolean flat() {
        return growthBytes < allowedBytes;
    }
}
