package dev.brisk.dist;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code brisk bench allreduce}: starts {@code nproc} JVMs on loopback (this JVM's {@code java} and class path),
 * times a ring all-reduce of {@code floats} f32 per rank, and, between ranks 0 and 1 of the same run, a plain
 * one-stream TCP copy of the same bytes (direct buffers, no conversion: the best one connection can do). The two
 * are measured in alternating rounds and the best round of each is reported.
 *
 * <p>Napkin math (nccl-tests convention): {@code algbw = bytes / t}; {@code busbw = algbw · 2(p−1)/p}, which is
 * what each rank's link carries and is comparable with {@code socket_gb_s}. On loopback both are bounded by
 * memory copies in the kernel (send copy + receive copy per byte); a ring all-reduce moves data both ways at
 * once and also converts and reduces, so on a machine with few cores it competes with itself for CPU.
 */
public final class AllReduceBenchmark {

    private static final String RESULT = "BRISK_BENCH_RESULT ";

    /**
     * One run's numbers; bandwidths in GB/s (10^9 bytes per second); {@code transport} is {@code shm} when the
     * ring's neighbours exchanged data through shared memory ({@link ShmChannel}), else {@code tcp}.
     */
    public record Result(int nproc, int floats, int iters, String transport, double secondsPerIter, double algbwGBs,
                         double busbwGBs, double socketGBs) {

        public double busbwOverSocket() {
            return socketGBs > 0 ? busbwGBs / socketGBs : 0;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"nproc\":%d,\"floats\":%d,\"bytes_per_rank\":%d,\"iters\":%d,"
                            + "\"transport\":\"%s\",\"seconds_per_iter\":%.6f,\"algbw_gb_s\":%.3f,\"busbw_gb_s\":%.3f,"
                            + "\"socket_gb_s\":%.3f,\"busbw_over_socket\":%.3f}", nproc, floats, 4L * floats, iters, transport,
                    secondsPerIter, algbwGBs, busbwGBs, socketGBs, busbwOverSocket());
        }
    }

    private AllReduceBenchmark() {
    }

    /**
     * {@code [--nproc N] [--floats F] [--iters I] [--tcp] [--json]} ({@code --tcp}: no shared memory);
     * {@code --worker} is the per-rank entry point.
     */
    public static void main(String[] args) throws Exception {
        int nproc = 2;
        int floats = 25_000_000;
        int iters = 5;
        boolean json = false;
        boolean shm = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nproc" -> nproc = Integer.parseInt(args[++i]);
                case "--floats" -> floats = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--json" -> json = true;
                case "--tcp" -> shm = false;
                case "--worker" -> {
                    worker(Integer.parseInt(args[i + 1]), Integer.parseInt(args[i + 2]));
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --nproc N "
                        + "--floats F --iters I --tcp --json");
            }
        }
        Result r = run(nproc, floats, iters, shm);
        System.out.println(json ? r.toJson() : String.format(Locale.ROOT, "allreduce %d ranks × %d f32 over %s: %.3f "
                        + "s/iter, algbw %.2f GB/s, busbw %.2f GB/s; one-stream socket copy %.2f GB/s (busbw/socket %.0f%%)",
                r.nproc(), r.floats(), r.transport(), r.secondsPerIter(), r.algbwGBs(), r.busbwGBs(), r.socketGBs(),
                100 * r.busbwGBs() / r.socketGBs()));
    }

    /**
     * Starts {@code nproc ≥ 2} worker JVMs, waits for them (bounded), returns rank 0's measurement; {@code shm}
     * false keeps the ring on TCP even between processes on this host.
     */
    public static Result run(int nproc, int floats, int iters, boolean shm) throws IOException, InterruptedException {
        if (nproc < 2 || floats < 1 || iters < 1) {
            throw new IllegalArgumentException("need nproc >= 2, floats >= 1, iters >= 1");
        }
        long heapMb = Math.max(256, 3L * floats * 4 / (1 << 20) + 256);
        String line = LocalRanks.run(nproc, List.of("-Xmx" + heapMb + "m"), AllReduceBenchmark.class,
                List.of("--worker", Integer.toString(floats), Integer.toString(iters)),
                Map.of("BRISK_DIST_SHM", shm ? "1" : "0"), "bench-allreduce", RESULT, System.err);
        Matcher transport = Pattern.compile("\\btransport=(\\w+)").matcher(line);
        return new Result(nproc, floats, iters, transport.find() ? transport.group(1) : "?", number(line, "t"),
                number(line, "algbw"), number(line, "busbw"), number(line, "socket"));
    }

    private static double number(String line, String key) {
        Matcher m = Pattern.compile("\\b" + key + "=([0-9.eE+-]+)").matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in '" + line + "'");
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * One rank. After a warm-up of each, it alternates {@code iters} rounds of (one all-reduce, one socket copy
     * of the same bytes from rank 0 to rank 1) and keeps the best round of each: on a shared machine the best
     * round is the least disturbed one, and interleaving exposes both to the same background load.
     */
    static void worker(int floats, int iters) throws IOException {
        DistEnv env = DistEnv.fromEnv();
        try (ProcessGroup g = Rendezvous.join(env)) {
            float[] buf = new float[floats];
            for (int i = 0; i < floats; i++) {
                buf[i] = (g.rank() + 1) * 1e-3f * (i & 1023);
            }
            long bytes = 4L * floats;
            try (CopyStream copy = CopyStream.open(g, env, bytes)) {
                g.allReduce(buf, Reduction.SUM); // warm-up: JIT, socket buffers
                copy.round();
                float[] arSeconds = new float[iters];
                double bestCopy = Double.MAX_VALUE;
                for (int i = 0; i < iters; i++) {
                    g.barrier();
                    long t0 = System.nanoTime();
                    g.allReduce(buf, 0, floats, Reduction.AVG);
                    arSeconds[i] = (System.nanoTime() - t0) / 1e9f;
                    g.barrier();
                    bestCopy = Math.min(bestCopy, copy.round());
                }
                g.allReduce(arSeconds, Reduction.MAX); // a round takes as long as its slowest rank
                double best = Double.MAX_VALUE;
                for (float t : arSeconds) {
                    best = Math.min(best, t);
                }
                double algbw = bytes / best / 1e9;
                double busbw = algbw * 2.0 * (g.size() - 1) / g.size();
                if (g.rank() == 0) {
                    String transport = g instanceof TcpGroup t && t.sharedMemoryPeers() > 0 ? "shm" : "tcp";
                    System.out.println(String.format(Locale.ROOT, RESULT + "transport=%s t=%.6f algbw=%.4f busbw=%.4f "
                            + "socket=%.4f", transport, best, algbw, busbw, bytes / bestCopy / 1e9));
                }
            }
            g.barrier();
        }
    }

    /**
     * One authenticated TCP connection from rank 0 to rank 1 (other ranks hold none); {@link #round} sends the
     * benchmark's bytes once and returns the seconds until rank 1 acknowledged them (0 on other ranks).
     */
    private static final class CopyStream implements AutoCloseable {
        private final int rank;
        private final SocketChannel channel;
        private final ByteBuffer data;
        private final long bytes;

        private CopyStream(int rank, SocketChannel channel, long bytes) {
            this.rank = rank;
            this.channel = channel;
            this.bytes = bytes;
            this.data = channel == null ? null : ByteBuffer.allocateDirect((int) Math.min(bytes, 1 << 26));
        }

        static CopyStream open(ProcessGroup g, DistEnv env, long bytes) throws IOException {
            byte[] secret = env.token().getBytes(StandardCharsets.UTF_8);
            if (g.rank() == 1) {
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.bind(new InetSocketAddress(env.bindAddress(), 0), 1);
                    g.send(new float[] {((InetSocketAddress) listener.getLocalAddress()).getPort()}, 0, 1, 0);
                    listener.socket().setSoTimeout(60_000);
                    Socket s = listener.socket().accept();
                    s.setSoTimeout(60_000);
                    Handshake.server(s.getInputStream(), s.getOutputStream(), secret, Handshake.Purpose.BENCH, 1,
                            env.jobId(), env.generation(), r -> r == 0 ? null : "only rank 0 copies");
                    return new CopyStream(1, s.getChannel(), bytes);
                } catch (Handshake.Refused e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            if (g.rank() == 0) {
                float[] port = new float[1];
                g.recv(port, 0, 1, 1);
                SocketChannel ch = SocketChannel.open(new InetSocketAddress(env.bindAddress(), (int) port[0]));
                ch.socket().setTcpNoDelay(true);
                ch.socket().setSoTimeout(60_000);
                try {
                    Handshake.client(ch.socket().getInputStream(), ch.socket().getOutputStream(), secret,
                            Handshake.Purpose.BENCH, 0, env.jobId(), env.generation());
                } catch (Handshake.Refused e) {
                    ch.close();
                    throw new IOException(e.getMessage(), e);
                }
                return new CopyStream(0, ch, bytes);
            }
            return new CopyStream(g.rank(), null, bytes);
        }

        double round() throws IOException {
            if (channel == null) {
                return Double.MAX_VALUE;
            }
            long t0 = System.nanoTime();
            ByteBuffer ack = ByteBuffer.allocate(1);
            for (long left = bytes; left > 0; ) {
                data.clear().limit((int) Math.min(left, data.capacity()));
                if (rank == 0) {
                    left -= data.remaining();
                    while (data.hasRemaining()) {
                        channel.write(data);
                    }
                } else {
                    int n = channel.read(data);
                    if (n < 0) {
                        throw new IOException("the copy stream closed early");
                    }
                    left -= n;
                }
            }
            if (rank == 0) {
                while (ack.hasRemaining()) {
                    if (channel.read(ack) < 0) {
                        throw new IOException("rank 1 closed the copy stream");
                    }
                }
            } else {
                ack.put((byte) 1).flip();
                while (ack.hasRemaining()) {
                    channel.write(ack);
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
