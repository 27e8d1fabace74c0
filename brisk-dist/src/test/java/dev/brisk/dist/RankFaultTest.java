package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real rank processes failing at different points ({@link MultiProcessTest} covers a kill during a large
 * all-reduce): killed with SIGKILL while computing (the others are already waiting in the all-reduce), and paused
 * with SIGSTOP past the timeout (its sockets stay open, so only the timeout can tell). Every survivor must exit
 * with a {@link DistributedException} within the timeout plus a margin for the JVMs of a loaded machine, naming
 * the killed or paused rank.
 */
class RankFaultTest {

    private static final int TIMEOUT_S = 8; // also bounds the rendezvous: JVMs start slowly on a loaded machine

    @Test
    @Timeout(90)
    void aRankKilledWhileComputingFailsTheWaitingSurvivors() throws Exception {
        try (RankProcesses job = new RankProcesses(3, TIMEOUT_S, "fault-compute", "compute")) {
            job.await(2, "COMPUTE 3", 60);
            job.signal(2, "KILL");
            for (int r = 0; r < 2; r++) {
                String failed = job.failure(r, TIMEOUT_S + 20);
                assertTrue(failed.startsWith("FAILED rank=2 ") && failed.contains("rank 2"), "rank " + r + ": "
                        + failed);
            }
        }
    }

    @Test
    @Timeout(90)
    void aRankPausedPastTheTimeoutFailsTheOthersNamingIt() throws Exception {
        try (RankProcesses job = new RankProcesses(3, TIMEOUT_S, "fault-stop")) {
            job.await(2, "ITER 2", 60);
            job.signal(2, "STOP");
            // On the ring every survivor times out at about the same moment, rank 1 waiting for rank 0 and rank 0 for
            // rank 2; following those waits (TimeoutBlame), whichever report becomes the group's first failure names
            // the paused rank, never its live neighbour.
            for (int r = 0; r < 2; r++) {
                String failed = job.failure(r, TIMEOUT_S + 20);
                assertTrue(failed.contains("timed out"), "rank " + r + ": " + failed);
                assertTrue(failed.startsWith("FAILED rank=2 ") && failed.contains("rank 2"), "rank " + r + ": "
                        + failed);
            }
        }
    }
}
