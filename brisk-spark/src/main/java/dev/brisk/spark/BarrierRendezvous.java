package dev.brisk.spark;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.dist.TcpStore;
import dev.brisk.train.Checkpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.BarrierTaskContext;

/**
 * Forms the Brisk process group of a barrier stage with one {@link BarrierTaskContext#allGather} (each call costs
 * about a second in Spark 4.2, so it is used for this alone, never per step). Rank 0 (partition 0) starts the
 * rendezvous store on an ephemeral port of its own address and publishes host and port — the task's reported
 * address is its executor's, the same for every task of a local-mode job, so the port has to be published; the
 * other ranks publish their host for the record. Then every rank joins the store and the TCP mesh as under
 * {@code brisk launch} ({@link TcpGroup}), authenticated with the driver's secret. The store's key prefix is the
 * stage and its attempt, so a retried stage never meets a stale rank.
 *
 * <p>Rank 0 also decides which checkpoint to resume from (the newest in the shared run directory, when resuming)
 * and publishes it in the same message, so every rank restores the same one.
 */
final class BarrierRendezvous {

    /** The group (null for a single rank) and the checkpoint every rank continues from (null: start fresh). */
    record Joined(ProcessGroup group, Path resumeFrom) {
    }

    private static final String STORE = "brisk-store";

    private BarrierRendezvous() {
    }

    static Joined join(BarrierTaskContext ctx, String secret, Duration timeout, String bindOverride, Path runDir,
                       boolean resume) {
        int rank = ctx.partitionId();
        int world = ctx.getTaskInfos().length;
        String host = bindOverride != null ? bindOverride : hostOf(ctx.getTaskInfos()[rank].address());
        String job = "spark-stage-" + ctx.stageId();
        long generation = ctx.stageAttemptNumber();
        TcpStore store = null;
        String message = "brisk-rank\n" + host;
        try {
            if (rank == 0) {
                String checkpoint = resume && runDir != null
                        ? Checkpoints.latest(runDir).map(Path::toString).orElse("") : "";
                if (world > 1) {
                    store = TcpStore.start(address(host), 0, secret, job, generation, world);
                }
                message = STORE + "\n" + host + "\n" + (store == null ? 0 : store.port()) + "\n" + checkpoint;
            }
            String[] all = ctx.allGather(message);
            String[] lead = all[0].split("\n", -1);
            if (lead.length != 4 || !lead[0].equals(STORE)) {
                throw new IllegalStateException("barrier allGather: partition 0 did not publish the Brisk store "
                        + "(got '" + all[0].replace('\n', ' ') + "'); is another barrier job sharing this stage?");
            }
            Path resumeFrom = lead[3].isEmpty() ? null : Path.of(lead[3]);
            if (world == 1) {
                return new Joined(null, resumeFrom);
            }
            DistEnv env = new DistEnv(lead[1], Integer.parseInt(lead[2]), rank, world, rank, secret, timeout, job,
                    generation, host);
            ProcessGroup group = TcpGroup.connect(env, store);
            return new Joined(group, resumeFrom);
        } catch (IOException e) {
            closeQuietly(store);
            throw new UncheckedIOException("rank " + rank + ": cannot list the checkpoints of " + runDir, e);
        } catch (RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
    }

    /** The host of Spark's {@code host:port} task address (IPv6 literals may be bracketed). */
    static String hostOf(String address) {
        String a = address.trim();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        int colon = a.lastIndexOf(':');
        if (colon > 0 && a.indexOf(':') == colon) {
            return a.substring(0, colon);
        }
        return a;
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the barrier task's host '" + host + "' does not resolve; set the "
                    + "bind address explicitly (SparkTrainer.bindAddress)", e);
        }
    }

    private static void closeQuietly(TcpStore store) {
        if (store != null) {
            store.close();
        }
    }
}
