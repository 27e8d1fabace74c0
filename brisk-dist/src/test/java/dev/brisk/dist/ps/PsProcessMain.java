package dev.brisk.dist.ps;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import java.time.Duration;
import java.util.List;

/**
 * One process of a parameter-server job, configured by the launcher's environment: rank 0 serves the whole
 * parameter vector of the {@link Blobs} MLP with staleness bound 1, the other ranks train 30 steps each. Prints
 * {@code SERVED updates=U lead=L} or {@code TRAINED clock=C}; exits 3 on a failure.
 */
public final class PsProcessMain {

    private PsProcessMain() {
    }

    public static void main(String[] args) {
        try {
            DistEnv env = DistEnv.fromEnv();
            List<ProcessGroup> links = PsLinks.connect(env, 1);
            float[] init = FlatParams.values(Blobs.mlp());
            if (env.rank() == 0) {
                ParameterServer server = new ParameterServer(init, links, 1, 0.1f).start();
                server.awaitWorkers(Duration.ofSeconds(60));
                System.out.println("SERVED updates=" + server.updates() + " lead=" + server.maxClockLead());
                server.close();
            } else {
                Blobs data = new Blobs(30 * Blobs.BATCH * 2, 10);
                int w = env.rank() - 1;
                AsyncRun.Gradient g = data.gradient(s -> s * 2 + w);
                float[] params = new float[init.length];
                float[] grad = new float[init.length];
                try (PsWorker worker = new PsWorker(links, init.length)) {
                    for (int s = 0; s < 30; s++) {
                        worker.pull(params);
                        g.compute(params, s, grad);
                        worker.push(grad);
                    }
                    System.out.println("TRAINED clock=" + worker.clock());
                }
            }
            System.out.flush();
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            System.out.flush();
            System.exit(3);
        }
    }
}
