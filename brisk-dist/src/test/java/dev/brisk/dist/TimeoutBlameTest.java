package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Following the ranks' waits to the silent one, on synthetic edges and on a real TCP ring with a rank that is away. */
class TimeoutBlameTest {

    @Test
    void theChainEndsAtTheRankThatReportedNothing() {
        // ring of 4, rank 2 silent: 3 waits for 2, 0 for 3, 1 for 0
        int[] edges = {3, 0, -1, 2};
        TimeoutBlame.Chain c = TimeoutBlame.follow(edges, 1);
        assertEquals(List.of(1, 0, 3, 2), c.path());
        assertFalse(c.cycle());
        assertEquals(2, c.end());
        assertEquals("1 waits for 0 waits for 3 waits for 2", c.describe());
        assertEquals(2, TimeoutBlame.follow(edges, 3).end());
        // before the others report, the chain stops at the first rank without an edge
        assertEquals(0, TimeoutBlame.follow(new int[] {-1, 0, -1, -1}, 1).end());
    }

    @Test
    void ranksWaitingForEachOtherFormACycle() {
        TimeoutBlame.Chain c = TimeoutBlame.follow(new int[] {1, 0}, 0);
        assertTrue(c.cycle());
        assertEquals(List.of(0, 1, 0), c.path());
        assertTrue(TimeoutBlame.follow(new int[] {-1, 2, 3, 1}, 1).cycle());
        // a damaged edge ends the chain rather than indexing out of range
        assertEquals(1, TimeoutBlame.follow(new int[] {1, 7}, 0).end());
    }

    @Test
    void graceIsAQuarterOfTheTimeoutWithinBounds() {
        assertEquals(Duration.ofMillis(250), TimeoutBlame.grace(Duration.ofMillis(200)));
        assertEquals(Duration.ofSeconds(2), TimeoutBlame.grace(Duration.ofSeconds(8)));
        assertEquals(Duration.ofSeconds(5), TimeoutBlame.grace(Duration.ofMinutes(30)));
    }

    /**
     * Ranks 0 and 1 all-reduce while rank 2 never enters (its group stays open, so only the timeout can tell). Rank 1
     * enters first and so times out first, waiting for rank 0, which is itself waiting for rank 2: without following
     * the waits, rank 1's report would be the group's first failure and blame the live rank 0.
     */
    @Test
    @Timeout(60)
    void everySurvivorBlamesTheRankThatNeverEntered() {
        Duration timeout = Duration.ofSeconds(4); // grace 1 s, well above the 300 ms between the two deadlines
        List<ProcessGroup> g = Ranks.groups(Ranks.Impl.TCP, 3, timeout);
        try {
            List<Object> out = Ranks.run(3, r -> {
                if (r == 2) {
                    return "away";
                }
                if (r == 0) {
                    sleep(300);
                }
                g.get(r).allReduce(new float[10_000], Reduction.SUM);
                return "finished";
            }, 40);
            for (int r = 0; r < 2; r++) {
                DistributedException e = assertInstanceOf(DistributedException.class, out.get(r), "rank " + r);
                assertEquals(2, e.failedRank(), "rank " + r + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("rank 2"), e.getMessage());
            }
            String one = ((DistributedException) out.get(1)).getMessage();
            assertTrue(one.contains("(1 waits for 0 waits for 2), rank 2 reported no wait of its own"), one);
        } finally {
            Ranks.closeAll(g);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
