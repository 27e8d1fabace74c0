package dev.brisk.dist.launch;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.dist.Rendezvous;

/**
 * A worker for {@link LauncherTest}: joins the group the launcher describes, all-reduces rank+1 and prints the
 * sum. With the argument {@code fail-first-generation}, rank 1 of generation 0 exits with status 3 at once.
 */
public final class LaunchWorkerMain {

    private LaunchWorkerMain() {
    }

    public static void main(String[] args) {
        DistEnv env = DistEnv.fromEnv();
        System.out.println("hello generation=" + env.generation() + " world=" + env.worldSize());
        if (args.length > 0 && args[0].equals("fail-first-generation") && env.generation() == 0 && env.rank() == 1) {
            System.out.println("dying");
            System.exit(3);
        }
        try (ProcessGroup g = Rendezvous.join(env)) {
            float[] a = {g.rank() + 1f};
            g.allReduce(a, Reduction.SUM);
            System.out.println("sum=" + a[0]);
            System.err.println("bye");
        }
        System.exit(0);
    }
}
