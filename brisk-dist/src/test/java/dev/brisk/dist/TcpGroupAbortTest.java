package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A rank that fails outside any collective aborts the group, and its peers' errors name it and its reason. */
class TcpGroupAbortTest {

    @Test
    @Timeout(30)
    void peersOfAnAbortedRankFailWithItsReason() {
        List<ProcessGroup> g = Ranks.groups(Ranks.Impl.TCP, 3, Duration.ofSeconds(10));
        try {
            List<Object> out = Ranks.run(3, r -> {
                if (r == 1) {
                    return ((TcpGroup) g.get(r)).abort("IllegalStateException: the loss function threw");
                }
                g.get(r).allReduce(new float[1000], Reduction.SUM);
                return "finished";
            }, 20);
            DistributedException own = assertInstanceOf(DistributedException.class, out.get(1));
            assertEquals(1, own.failedRank());
            for (int r : new int[] {0, 2}) {
                DistributedException e = assertInstanceOf(DistributedException.class, out.get(r), "rank " + r);
                assertEquals(1, e.failedRank(), e.getMessage());
                assertTrue(e.getMessage().contains("rank 1 failed: IllegalStateException: the loss function threw"),
                        e.getMessage());
            }
        } finally {
            Ranks.closeAll(g);
        }
    }
}
