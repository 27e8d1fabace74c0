package dev.brisk.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.io.AtomicFiles;
import dev.brisk.train.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoint directories {@code RUN/checkpoints/step-000000123/} holding {@code model.safetensors},
 * {@code optimizer.safetensors} and {@code trainer.json}. Each is written into a hidden staging directory, every
 * file fsynced, then the directory is renamed into place (the commit point) and the parent fsynced; a crash at any
 * moment leaves only complete checkpoints visible. {@code trainer.json} is written last inside the staging
 * directory, and loading accepts only directories that have it. Keep-last-K deletes older checkpoints only
 * after a new one is committed.
 */
public final class Checkpoints {

    private static final Pattern NAME = Pattern.compile("step-(\\d{9,})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile StagedHook stagedHook = (step, staging) -> { };

    /**
     * Fault injection: runs inside {@link #save} once the model and optimizer files are in the staging directory,
     * before {@code trainer.json} and the commit, so a test can kill the process at the moment a crash would leave
     * the most of a checkpoint behind.
     */
    @FunctionalInterface
    public interface StagedHook {
        void staged(long step, Path staging) throws IOException;
    }

    /** Installs {@code hook} for every later {@link #save} in this process (fault-injection tests only). */
    public static void onStaged(StagedHook hook) {
        stagedHook = java.util.Objects.requireNonNull(hook, "hook");
    }

    /** A loaded checkpoint. */
    public record Loaded(Path dir, Map<String, Tensor> model, Map<String, Tensor> optimizer, ObjectNode trainer) {
    }

    private Checkpoints() {
    }

    public static Path dirOf(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /** Writes checkpoint {@code step} and keeps the newest {@code keep}; returns its directory. */
    public static Path save(Path runDir, long step, Map<String, Tensor> model, Map<String, Tensor> optimizer,
                            ObjectNode trainer, int keep) throws IOException {
        Path root = dirOf(runDir);
        Files.createDirectories(root);
        Path target = root.resolve(String.format("step-%09d", step));
        Path staging = root.resolve(".staging-" + step + "-" + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()));
        Files.createDirectory(staging);
        try {
            Files.write(staging.resolve("model.safetensors"), SafeTensors.encode(model, Map.of("format", "brisk")));
            Files.write(staging.resolve("optimizer.safetensors"), SafeTensors.encode(optimizer, Map.of()));
            stagedHook.staged(step, staging);
            Files.write(staging.resolve("trainer.json"), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(trainer));
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target); // a re-run of the same step after a resume replaces it
            }
            AtomicFiles.commitDirectory(staging, target);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(staging);
            throw e;
        }
        prune(root, keep);
        return target;
    }

    /** Committed checkpoints, oldest first. Staging leftovers of a crash are ignored. */
    public static List<Path> list(Path runDir) throws IOException {
        Path root = dirOf(runDir);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p.resolve("trainer.json"))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing(p -> Long.parseLong(p.getFileName().toString().substring(5))));
        return out;
    }

    public static Optional<Path> latest(Path runDir) throws IOException {
        List<Path> all = list(runDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    public static Loaded load(Path dir) throws IOException {
        Path trainer = dir.resolve("trainer.json");
        if (!Files.isRegularFile(trainer)) {
            throw new IOException(dir + " is not a complete checkpoint (no trainer.json)");
        }
        ObjectNode t;
        try {
            t = (ObjectNode) JSON.readTree(trainer.toFile());
        } catch (IOException | ClassCastException e) {
            throw new IOException(trainer + ": not a valid trainer state (" + e.getMessage() + ")", e);
        }
        checkTrainerState(trainer, t);
        return new Loaded(dir, SafeTensors.read(dir.resolve("model.safetensors")).tensors(),
                SafeTensors.read(dir.resolve("optimizer.safetensors")).tensors(), t);
    }

    /** The fields a resume reads must be present and in range, so a damaged file is named rather than resumed from. */
    private static void checkTrainerState(Path file, ObjectNode t) throws IOException {
        JsonNode step = t.get("step");
        if (step == null || !step.isIntegralNumber() || !step.canConvertToLong() || step.asLong() < 0) {
            throw new IOException(file + ": not a valid trainer state: \"step\" must be an integer ≥ 0, got " + step);
        }
        for (String key : List.of("epoch", "batch", "evals_without_improvement")) {
            JsonNode v = t.get(key);
            if (v != null && !(v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 0)) {
                throw new IOException(file + ": not a valid trainer state: \"" + key + "\" must be an integer ≥ 0, got "
                        + v);
            }
        }
        JsonNode best = t.get("best_eval_loss");
        if (best != null && !best.isNumber()) {
            throw new IOException(file + ": not a valid trainer state: \"best_eval_loss\" must be a number, got "
                    + best);
        }
    }

    /**
     * Deletes all but the newest {@code keep} checkpoints. Each is first renamed to a hidden name (atomic), so a
     * crash in the middle of deleting its files never leaves a visible, incomplete checkpoint; leftovers of earlier
     * crashes (staging and deleting directories) are removed too.
     */
    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root.getParent());
        for (int i = 0; i < all.size() - Math.max(keep, 1); i++) {
            Path doomed = root.resolve(".deleting-" + all.get(i).getFileName());
            Files.move(all.get(i), doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.deleteTree(doomed);
        }
        try (var s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(".deleting-") || (n.startsWith(".staging-") && !isFresh(p))) {
                    AtomicFiles.deleteTree(p);
                }
            }
        }
    }

    /** A staging directory another writer may still be filling (younger than a minute). */
    private static boolean isFresh(Path p) throws IOException {
        return Files.getLastModifiedTime(p).toMillis() > System.currentTimeMillis() - 60_000;
    }
}
