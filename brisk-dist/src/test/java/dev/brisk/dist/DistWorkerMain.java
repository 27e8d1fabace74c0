package dev.brisk.dist;

/**
 * A rank in its own JVM for {@link MultiProcessTest} and {@link RankFaultTest}: joins through the environment,
 * checks one all-reduce exactly, then all-reduces a large buffer in a loop until the group fails, printing what it
 * saw. With the argument {@code compute} each iteration first computes for about 100 ms (printing
 * {@code COMPUTE i}), like a forward and backward pass, then all-reduces a small gradient.
 */
public final class DistWorkerMain {

    private DistWorkerMain() {
    }

    public static void main(String[] args) {
        DistEnv env = DistEnv.fromEnv();
        long last = System.nanoTime();
        try (ProcessGroup g = Rendezvous.join(env)) {
            int n = 100_003;
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = g.rank() + i % 7;
            }
            g.allReduce(a, Reduction.SUM);
            int p = g.size();
            boolean ok = true;
            for (int i = 0; i < n; i++) {
                ok &= a[i] == p * (p - 1) / 2f + p * (i % 7);
            }
            System.out.println(ok ? "CORRECT" : "WRONG");
            boolean compute = args.length > 0 && args[0].equals("compute");
            float[] big = new float[compute ? 10_000 : 2_000_000];
            for (int iter = 0; iter < 100_000; iter++) {
                if (compute) {
                    System.out.println("COMPUTE " + iter);
                    big[iter % big.length] += (float) busy(100);
                }
                g.allReduce(big, Reduction.SUM);
                last = System.nanoTime();
                System.out.println("ITER " + iter);
            }
        } catch (DistributedException e) {
            System.out.println("FAILED rank=" + e.failedRank() + " afterLastIterMs="
                    + (System.nanoTime() - last) / 1_000_000 + " message=" + e.getMessage().replace('\n', ' '));
            System.out.flush();
            System.exit(3);
        }
    }

    /** About {@code ms} of arithmetic (a stand-in for a forward and backward pass). */
    private static double busy(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        double x = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x += Math.sqrt(i + x % 7);
            }
        }
        return x * 1e-30;
    }
}
