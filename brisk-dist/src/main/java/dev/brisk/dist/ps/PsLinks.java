package dev.brisk.dist.ps;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.dist.TcpStore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The links of a parameter server with {@code servers} servers and {@code workers} workers: one two-rank process
 * group per (server, worker) pair, the server as rank 0. Separate groups give each pair its own operation queue,
 * so a server answers workers in whatever order they arrive.
 *
 * @param serverSide {@code serverSide.get(s).get(w)}: server s's end of its link to worker w
 * @param workerSide {@code workerSide.get(w).get(s)}: worker w's end of its link to server s
 */
public record PsLinks(List<List<ProcessGroup>> serverSide, List<List<ProcessGroup>> workerSide) {

    /** Links between threads of this JVM. */
    public static PsLinks threads(int servers, int workers, Duration timeout) {
        return build(servers, workers, (s, w) -> {
            List<dev.brisk.dist.ThreadGroup> pair = dev.brisk.dist.ThreadGroup.create(2, timeout);
            return List.of(pair.get(0), pair.get(1));
        });
    }

    /** TCP links over loopback inside this JVM (authenticated with {@code token}), for tests and benchmarks. */
    public static PsLinks loopbackTcp(int servers, int workers, String token, Duration timeout) {
        return build(servers, workers, (s, w) -> {
            String job = "ps-" + s + "-" + w + "-" + System.nanoTime();
            TcpStore store = TcpStore.start(InetAddress.getLoopbackAddress(), 0, token, job, 0, 2);
            CompletableFuture<ProcessGroup> server = CompletableFuture.supplyAsync(() -> TcpGroup.connect(
                    new DistEnv("127.0.0.1", store.port(), 0, 2, 0, token, timeout, job, 0, null), store));
            ProcessGroup worker = TcpGroup.connect(new DistEnv("127.0.0.1", store.port(), 1, 2, 1, token, timeout,
                    job, 0, null));
            return List.of(server.join(), worker);
        });
    }

    /**
     * This process's links in a launched job ({@code brisk launch}): global ranks {@code 0..servers−1} are servers,
     * the rest workers. The link between server s and worker w rendezvous on port
     * {@code BRISK_MASTER_PORT + 1 + s·workers + w} of the master host, hosted by the server — so in this version
     * every server runs on the master host. Same token, timeout and job id as the job. Returns this rank's ends:
     * a server's links to every worker, or a worker's links to every server.
     */
    public static List<ProcessGroup> connect(DistEnv env, int servers) {
        int workers = env.worldSize() - servers;
        if (servers < 1 || workers < 1) {
            throw new IllegalArgumentException("a parameter server job needs >= 1 server and >= 1 worker; got "
                    + servers + " servers of WORLD_SIZE " + env.worldSize());
        }
        boolean isServer = env.rank() < servers;
        List<ProcessGroup> out = new ArrayList<>();
        // pairs are joined in (server, worker) order on both sides, so no two ranks wait on each other
        int me = isServer ? env.rank() : env.rank() - servers;
        int peers = isServer ? workers : servers;
        for (int peer = 0; peer < peers; peer++) {
            int s = isServer ? me : peer;
            int w = isServer ? peer : me;
            int port = env.masterPort() + 1 + s * workers + w;
            if (port > 65535) {
                throw new IllegalArgumentException("parameter-server link ports run past 65535 from BRISK_MASTER_PORT "
                        + env.masterPort());
            }
            String job = env.jobId() + "-ps-" + s + "-" + w;
            DistEnv pair = new DistEnv(env.masterAddr(), port, isServer ? 0 : 1, 2, 0, env.token(), env.timeout(),
                    job, env.generation(), env.bindAddr());
            TcpStore store = null;
            if (isServer) {
                store = TcpStore.start(env.bindAddress(), port, env.token(), job, env.generation(), 2);
            }
            out.add(TcpGroup.connect(pair, store));
        }
        return out;
    }

    private interface Pair {
        List<ProcessGroup> make(int server, int worker);
    }

    private static PsLinks build(int servers, int workers, Pair pair) {
        if (servers < 1 || workers < 1) {
            throw new IllegalArgumentException("need >= 1 server and >= 1 worker, got " + servers + " and " + workers);
        }
        List<List<ProcessGroup>> bySrv = new ArrayList<>();
        List<List<ProcessGroup>> byWkr = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            byWkr.add(new ArrayList<>());
        }
        for (int s = 0; s < servers; s++) {
            List<ProcessGroup> mine = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                List<ProcessGroup> p = pair.make(s, w);
                mine.add(p.get(0));
                byWkr.get(w).add(p.get(1));
            }
            bySrv.add(mine);
        }
        return new PsLinks(bySrv, byWkr);
    }
}
