package dev.brisk.dist;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whom a timeout in a collective blames. A rank that times out knows only the peer it was waiting for; on a ring
 * that peer may itself be waiting for its own predecessor, back to the one rank that is stopped or hung (paused by
 * SIGSTOP, stuck in a long GC, deadlocked). Every live rank then times out at about the same moment, and the group's
 * first failure would otherwise name whichever live neighbour was reported first.
 *
 * <p>So on a timeout a rank first records its wait-for edge ({@code rank → peer}) in the store, then, for a short
 * bounded grace, reads the other ranks' edges and follows the chain from its own: the rank where the chain ends,
 * having reported no wait of its own, is the silent one and is blamed. Every live rank that times out follows the
 * same edges to the same rank, so whichever report wins the group's first-failure compare-and-set names it. The
 * grace ends early once every rank but the chain's end has reported, or once some rank has recorded the group's
 * first failure (a later report loses that compare-and-set anyway). A cycle (two ranks waiting for each other, as
 * with a stalled link) or an unreachable store leaves the original blame. A rank that enters the operation more than
 * the grace after the others reads as silent: the grace bounds how long a failure may take to report.
 */
final class TimeoutBlame {

    private static final long POLL_MILLIS = 20;
    private static final long STORE_CALL_MILLIS = 2_000;

    private final StoreClient store;
    /** Rank r's edge is the value of {@code edgePrefix + r}; the group's first failure is under {@code abortKey}. */
    private final String edgePrefix;
    private final String abortKey;
    private final int rank;
    private final int size;
    private final long graceMillis;

    TimeoutBlame(StoreClient store, String keyPrefix, int rank, int size, Duration timeout) {
        this.store = store;
        this.edgePrefix = keyPrefix + "waitfor/";
        this.abortKey = keyPrefix + "abort";
        this.rank = rank;
        this.size = size;
        this.graceMillis = grace(timeout).toMillis();
    }

    /**
     * How long a timed-out rank waits for the others' edges: a quarter of the operation timeout, within [0.25 s, 5 s]
     * (ranks of one collective time out within about one operation's duration of each other).
     */
    static Duration grace(Duration timeout) {
        return Duration.ofMillis(Math.clamp(timeout.toMillis() / 4, 250, 5_000));
    }

    /** A chain of waits from a rank: {@code path} ends at the rank with no edge, or repeats a rank ({@code cycle}). */
    record Chain(List<Integer> path, boolean cycle) {

        int end() {
            return path.getLast();
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            for (int r : path) {
                b.append(b.isEmpty() ? "" : " waits for ").append(r);
            }
            return b.toString();
        }
    }

    /** Follows {@code waitsFor} (−1: no edge reported) from {@code from}. */
    static Chain follow(int[] waitsFor, int from) {
        List<Integer> path = new ArrayList<>();
        boolean[] seen = new boolean[waitsFor.length];
        int r = from;
        while (true) {
            path.add(r);
            if (seen[r]) {
                return new Chain(path, true);
            }
            seen[r] = true;
            int next = waitsFor[r];
            if (next < 0 || next >= waitsFor.length) {
                return new Chain(path, false);
            }
            r = next;
        }
    }

    /**
     * {@code timedOut}, which this rank raised after waiting for {@code waitedFor} in vain, or the same failure
     * blaming the silent rank at the end of the chain of waits.
     */
    DistributedException blame(DistributedException timedOut, int waitedFor) {
        if (waitedFor < 0 || waitedFor >= size || waitedFor == rank) {
            return timedOut;
        }
        int[] edges = new int[size];
        java.util.Arrays.fill(edges, -1);
        edges[rank] = waitedFor;
        Chain chain;
        try {
            store.withTimeout(STORE_CALL_MILLIS);
            store.set(edgePrefix + rank, Integer.toString(waitedFor).getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + graceMillis * 1_000_000;
            while (true) {
                int reported = readEdges(edges);
                chain = follow(edges, rank);
                boolean othersAllIn = !chain.cycle() && reported == size - 1 && edges[chain.end()] < 0;
                if (chain.cycle() || othersAllIn || System.nanoTime() >= deadline || store.get(abortKey) != null) {
                    break;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (RuntimeException storeDown) {
            return timedOut; // the caller's compare-and-set meets the same store and says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return timedOut;
        }
        if (chain.cycle() || chain.end() == waitedFor) {
            return timedOut;
        }
        int silent = chain.end();
        return new DistributedException(timedOut.operation(), silent, timedOut.getMessage() + "; following the ranks'"
                + " own timeouts (" + chain.describe() + "), rank " + silent + " reported no wait of its own within "
                + graceMillis + " ms: rank " + silent + " is stopped, hung or far behind", timedOut);
    }

    /** Fills {@code edges} with what the store holds; returns how many ranks have reported. */
    private int readEdges(int[] edges) {
        int reported = 0;
        for (int r = 0; r < size; r++) {
            if (edges[r] < 0) {
                byte[] v = store.get(edgePrefix + r);
                if (v != null) {
                    try {
                        edges[r] = Integer.parseInt(new String(v, StandardCharsets.UTF_8));
                    } catch (NumberFormatException malformed) {
                        edges[r] = -1; // only TcpGroup writes these keys; treat a damaged one as not reported
                    }
                }
            }
            reported += edges[r] >= 0 ? 1 : 0;
        }
        return reported;
    }
}
