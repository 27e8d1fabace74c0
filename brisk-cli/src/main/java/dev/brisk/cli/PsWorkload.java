package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.DataDir;
import dev.brisk.data.format.ImageDataset;
import dev.brisk.data.format.Mnist;
import dev.brisk.dist.ps.AsyncRun;
import dev.brisk.dist.ps.FlatParams;
import dev.brisk.dist.ps.PsLinks;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.Losses;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code ps} workload of BENCHMARKS.md: the {@code mlp} model (784-512-512-10, ReLU, batch 128) trained
 * asynchronously by {@code --workers} worker threads against {@code --servers} parameter-server shards (default 1)
 * with staleness bound {@code --staleness} (default 2), over thread links or loopback TCP ({@code --transport}).
 * The servers apply plain SGD at lr 0.01 (no momentum: a server keeps no optimizer state in this version).
 * Fashion-MNIST when installed, else synthetic images. Reports samples/s over all workers and the staleness
 * histogram (updates applied to a shard between a worker's pull and its push).
 */
final class PsWorkload {

    private static final String TOKEN = "brisk-bench-ps-loopback-token";

    private PsWorkload() {
    }

    static Module mlp() {
        Rng rng = new Rng(0);
        return new Sequential(new Linear(784, 512, rng), new ReLU(), new Linear(512, 512, rng), new ReLU(),
                new Linear(512, 10, rng));
    }

    static ObjectNode run(int workers, int servers, int staleness, String transport, Integer batchOpt,
                          Integer stepsOpt) {
        if (workers < 1 || workers > 64 || servers < 1 || servers > 16) {
            throw new UsageException("--workers must be 1..64 and --servers 1..16, got " + workers + " and " + servers);
        }
        if (staleness < 0) {
            throw new UsageException("--staleness must be >= 0, got " + staleness);
        }
        String kind = transport.toLowerCase(Locale.ROOT);
        if (!kind.equals("thread") && !kind.equals("tcp")) { // before loading the data
            throw new UsageException("--transport must be thread or tcp, got '" + transport + "'");
        }
        int batch = batchOpt == null ? 128 : batchOpt;
        int steps = stepsOpt == null ? 20 : stepsOpt;
        boolean real = Mnist.present(DataDir.resolve());
        int rows = Math.min(workers * steps * batch, 60000);
        float[] x = new float[rows * 784];
        long[] y = new long[rows];
        if (real) {
            ImageDataset train = Mnist.train(DataDir.resolve());
            for (int i = 0; i < rows; i++) {
                byte[] p = train.get(i).input().pixels();
                for (int j = 0; j < 784; j++) {
                    x[i * 784 + j] = ((p[j] & 0xff) / 255f - 0.2860f) / 0.3530f;
                }
                y[i] = train.label(i);
            }
        } else {
            Rng rng = new Rng(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                y[i] = rng.nextInt(10);
            }
        }
        int batches = rows / batch;
        Duration bound = Duration.ofSeconds(300);
        PsLinks links = kind.equals("tcp") ? PsLinks.loopbackTcp(servers, workers, TOKEN, bound)
                : PsLinks.threads(servers, workers, bound);
        java.util.function.IntFunction<AsyncRun.Gradient> model = w -> {
            Module replica = mlp();
            return (params, step, grad) -> {
                FlatParams.load(params, replica);
                replica.zeroGrad();
                int b = (int) ((step * workers + w) % batches);
                Tensor xb = Tensor.of(Arrays.copyOfRange(x, b * batch * 784, (b + 1) * batch * 784), batch, 784);
                Tensor yb = Tensor.ofLongs(Arrays.copyOfRange(y, b * batch, (b + 1) * batch), batch);
                Losses.crossEntropy(replica.forward(xb), yb).backward();
                FlatParams.gradients(replica, grad);
            };
        };
        // warm-up outside the measurement (JIT), as the other training workloads do
        float[] init = FlatParams.values(mlp());
        AsyncRun.Gradient warm = model.apply(0);
        for (int i = 0; i < 3; i++) {
            warm.compute(init, i, new float[init.length]);
        }
        AsyncRun.Result r = AsyncRun.parameterServer(links, init, steps, staleness, k -> 0.01, model,
                Duration.ofMinutes(30));
        double samplesPerS = (double) workers * steps * batch / r.seconds();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("data", real ? "fashion-mnist" : "synthetic");
        out.put("workers", workers);
        out.put("servers", servers);
        out.put("staleness_bound", staleness);
        out.put("transport", transport.toLowerCase(Locale.ROOT));
        out.put("batch", batch);
        out.put("steps_per_worker", steps);
        out.put("samples_per_s", Math.round(samplesPerS));
        out.put("max_clock_lead", r.maxClockLead());
        ArrayNode h = out.putArray("staleness");
        for (long c : r.staleness()) {
            h.add(c);
        }
        System.out.printf(Locale.ROOT, "ps  %d workers, %d server(s), staleness bound %d, %s links, batch %d: %.0f "
                        + "samples/s; staleness histogram %s (max lead %d)%n", workers, servers, staleness,
                transport, batch, samplesPerS, Arrays.toString(r.staleness()), r.maxClockLead());
        return out;
    }
}
