package dev.brisk.monitor.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Tree-structured Parzen Estimator (Bergstra et al. 2011), one parameter at a time. The finished trials are split
 * into the best {@value #GAMMA}·n ("good") and the rest ("bad"); each group's values of a parameter become a
 * density — for ranges a mixture of Gaussians centred on the values, with a width from the gaps to their neighbours,
 * plus a wide prior component; for choices smoothed frequencies — and the next value is the one, among
 * {@value #CANDIDATES} drawn from the good density l, with the largest l/g. Pruned trials count as bad with their
 * last score. A conditional parameter learns only from the trials in which it was active. The first
 * {@code startup} trials are random.
 */
public final class TpeSampler implements Sampler {

    static final double GAMMA = 0.15;
    static final int CANDIDATES = 24;
    private final int startup;

    public TpeSampler(int startup) {
        this.startup = Math.max(1, startup);
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> finished, Goal goal, int trialId, Random rng) {
        List<Trial> scored = new ArrayList<>();
        for (Trial t : finished) {
            if (t.status() != Trial.Status.FAILED && !Double.isNaN(t.metric())) {
                scored.add(t);
            }
        }
        if (scored.size() < startup) {
            return new RandomSampler().sample(space, finished, goal, trialId, rng);
        }
        // best first; a pruned trial ranks below every complete one
        scored.sort(Comparator.comparing((Trial t) -> t.status() == Trial.Status.PRUNED)
                .thenComparing(Comparator.comparingDouble((Trial t) -> goal.score(t.metric())).reversed()));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : space.params()) {
            if (!p.activeGiven(out)) {
                continue;
            }
            List<Object> good = new ArrayList<>();
            List<Object> bad = new ArrayList<>();
            List<Trial> with = scored.stream().filter(t -> t.params().containsKey(p.key())).toList();
            int nGood = (int) Math.ceil(GAMMA * with.size());
            for (int i = 0; i < with.size(); i++) {
                (i < nGood ? good : bad).add(with.get(i).params().get(p.key()));
            }
            out.put(p.key(), good.isEmpty() ? RandomSampler.draw(p, rng) : choose(p, good, bad, rng));
        }
        return out;
    }

    private static Object choose(Param p, List<Object> good, List<Object> bad, Random rng) {
        return switch (p) {
            case Param.Choice c -> chooseCategory(c, good, bad, rng);
            case Param.Real r -> {
                double u = chooseReal(r.toInternal(r.low()), r.toInternal(r.high()),
                        good.stream().mapToDouble(v -> r.toInternal(((Number) v).doubleValue())).toArray(),
                        bad.stream().mapToDouble(v -> r.toInternal(((Number) v).doubleValue())).toArray(), rng);
                yield Sampler.round(r.fromInternal(u));
            }
            case Param.Int i -> {
                double u = chooseReal(i.internalLow(), i.internalHigh(),
                        good.stream().mapToDouble(v -> i.toInternal(((Number) v).longValue())).toArray(),
                        bad.stream().mapToDouble(v -> i.toInternal(((Number) v).longValue())).toArray(), rng);
                yield i.fromInternal(u);
            }
        };
    }

    private static Object chooseCategory(Param.Choice c, List<Object> good, List<Object> bad, Random rng) {
        int k = c.values().size();
        double[] l = new double[k];
        double[] g = new double[k];
        java.util.Arrays.fill(l, 1);
        java.util.Arrays.fill(g, 1);
        good.forEach(v -> l[Math.max(0, c.indexOf(v))]++);
        bad.forEach(v -> g[Math.max(0, c.indexOf(v))]++);
        double sl = good.size() + k;
        double sg = bad.size() + k;
        int best = -1;
        double bestRatio = Double.NEGATIVE_INFINITY;
        for (int n = 0; n < CANDIDATES; n++) {
            double x = rng.nextDouble() * sl;
            int idx = 0;
            while (idx < k - 1 && x >= l[idx]) {
                x -= l[idx];
                idx++;
            }
            double ratio = (l[idx] / sl) / (g[idx] / sg);
            if (ratio > bestRatio) {
                bestRatio = ratio;
                best = idx;
            }
        }
        return c.values().get(best);
    }

    /** The candidate from the good density with the largest l/g, in the internal (possibly log) space. */
    static double chooseReal(double lo, double hi, double[] good, double[] bad, Random rng) {
        Parzen l = new Parzen(lo, hi, good);
        Parzen g = new Parzen(lo, hi, bad);
        double best = Double.NaN;
        double bestRatio = Double.NEGATIVE_INFINITY;
        for (int n = 0; n < CANDIDATES; n++) {
            double x = l.sample(rng);
            double ratio = Math.log(l.density(x)) - Math.log(g.density(x));
            if (ratio > bestRatio) {
                bestRatio = ratio;
                best = x;
            }
        }
        return best;
    }

    /** A mixture of Gaussians truncated to [lo, hi]: one per observation plus a prior one over the whole range. */
    static final class Parzen {
        private final double lo;
        private final double hi;
        private final double[] mu;
        private final double[] sigma;
        private final double[] mass; // each component's probability inside [lo, hi]

        Parzen(double lo, double hi, double[] obs) {
            this.lo = lo;
            this.hi = hi;
            int n = obs.length;
            double[] sorted = obs.clone();
            java.util.Arrays.sort(sorted);
            mu = new double[n + 1];
            sigma = new double[n + 1];
            mass = new double[n + 1];
            double range = hi - lo;
            double minSigma = range / Math.min(100.0, 1.0 + n);
            for (int i = 0; i < n; i++) {
                double left = i == 0 ? sorted[i] - lo : sorted[i] - sorted[i - 1];
                double right = i == n - 1 ? hi - sorted[i] : sorted[i + 1] - sorted[i];
                mu[i] = sorted[i];
                sigma[i] = Math.min(range, Math.max(minSigma, Math.max(left, right)));
            }
            mu[n] = (lo + hi) / 2;
            sigma[n] = range;
            for (int i = 0; i <= n; i++) {
                mass[i] = Math.max(1e-12, phi((hi - mu[i]) / sigma[i]) - phi((lo - mu[i]) / sigma[i]));
            }
        }

        double density(double x) {
            double sum = 0;
            for (int i = 0; i < mu.length; i++) {
                double z = (x - mu[i]) / sigma[i];
                sum += Math.exp(-0.5 * z * z) / (sigma[i] * Math.sqrt(2 * Math.PI)) / mass[i];
            }
            return Math.max(1e-300, sum / mu.length);
        }

        double sample(Random rng) {
            int i = rng.nextInt(mu.length);
            for (int tries = 0; tries < 100; tries++) {
                double x = mu[i] + sigma[i] * rng.nextGaussian();
                if (x >= lo && x <= hi) {
                    return x;
                }
            }
            return Math.min(hi, Math.max(lo, mu[i]));
        }

        /** The standard normal CDF (Abramowitz and Stegun 7.1.26; error below 1.5e-7). */
        static double phi(double z) {
            double x = Math.abs(z) / Math.sqrt(2);
            double t = 1 / (1 + 0.3275911 * x);
            double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                    + 0.254829592) * t * Math.exp(-x * x);
            return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
        }
    }
}
