package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.compress.Measurement;
import dev.brisk.compress.RunConfigs;
import dev.brisk.compress.SavedRun;
import dev.brisk.compress.prune.CubicSparsity;
import dev.brisk.compress.prune.GradualPruning;
import dev.brisk.compress.prune.MagnitudePruner;
import dev.brisk.compress.prune.StructuredPruner;
import dev.brisk.data.DataFileException;
import dev.brisk.nn.Module;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brisk prune RUN_DIR --sparsity S [--structured] [--global] [--gradual] [--norm l1|l2] [--finetune-epochs E]
 * [--run-dir OUT]}: prunes a trained run's model, optionally fine-tunes it, and writes a new run directory whose
 * config describes the pruned model (a structured prune stores the smaller layer list), so {@code eval},
 * {@code train --resume} and {@code quantize} read it like any run. Prints parameters, model file size, training
 * and inference samples/s and test accuracy before and after, and writes them to {@code OUT/compression.json}.
 */
@Command(name = "prune", description = "Prune a trained run's model into a new run (see docs/COMPRESSION.md).")
final class PruneCommand implements Callable<Integer> {

    @Mixin
    SavedRunOptions input = new SavedRunOptions();

    @Option(names = "--sparsity", required = true, paramLabel = "S",
            description = "fraction of weights (unstructured) or channels/neurons (--structured) to remove, in [0, 1)")
    double sparsity;

    @Option(names = "--structured", description = "remove whole conv channels and linear neurons (smaller, faster)")
    boolean structured;

    @Option(names = "--global", description = "unstructured: one magnitude threshold over all layers")
    boolean global;

    @Option(names = "--gradual", description = "unstructured: raise the sparsity from 0 during the fine-tune on the "
            + "cubic schedule (reaching it at 3/4 of the steps) instead of pruning at once")
    boolean gradual;

    @Option(names = "--norm", paramLabel = "l1|l2", description = "structured: channel ranking norm (default l1)")
    String norm = "l1";

    @Option(names = "--finetune-epochs", paramLabel = "E", description = "epochs of training after pruning (default 0)")
    int finetuneEpochs;

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    @Override
    public Integer call() throws IOException {
        runtime.apply();
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new UsageException("--sparsity must be in [0, 1), got " + sparsity);
        }
        if (finetuneEpochs < 0) {
            throw new UsageException("--finetune-epochs must be ≥ 0, got " + finetuneEpochs);
        }
        if (gradual && (structured || finetuneEpochs == 0)) {
            throw new UsageException("--gradual prunes during the fine-tune: it needs --finetune-epochs ≥ 1 and is "
                    + "for unstructured pruning (without --structured)");
        }
        StructuredPruner.Norm rank = switch (norm.toLowerCase(Locale.ROOT)) {
            case "l1" -> StructuredPruner.Norm.L1;
            case "l2" -> StructuredPruner.Norm.L2;
            default -> throw new UsageException("--norm must be l1 or l2, got " + norm);
        };
        SavedRun saved = input.read();
        Path out = input.out();
        TrainConfig config = saved.config();
        try (TrainingRun run = new TrainingRun(config, true)) {
            Module model = run.model();
            model.loadStateDict(saved.weights(), true);
            System.out.printf(Locale.ROOT, "brisk prune: %s (%s) at sparsity %.2f, %s%n", input.source,
                    saved.checkpoint().getFileName(), sparsity, structured ? "structured (" + rank + " norm)"
                            : global ? "unstructured, global threshold" : "unstructured, per layer");
            Measurement before = Compare.measure(run, model, config,
                    saved.checkpoint().resolve("model.safetensors"), model.numParameters(), input.timingBatches);

            ModelConfig prunedModel = config.model();
            Map<String, Tensor> prunedWeights;
            MagnitudePruner masks = null;
            if (structured) {
                var stack = SavedRun.asStack(model);
                var result = StructuredPruner.prune(stack, SavedRun.layerList(config.model(),
                        run.trainData().classes()), sparsity, rank);
                result.changes().forEach(c -> System.out.println("  " + c));
                prunedModel = ModelConfig.layers(result.specs());
                prunedWeights = result.model().stateDict();
            } else {
                masks = new MagnitudePruner(model);
                if (!gradual) {
                    masks.prune(sparsity, scope());
                }
                System.out.printf(Locale.ROOT, "  %.1f%% of %d weight tensors masked%s%n", 100 * masks.sparsity(),
                        masks.weights().size(), gradual ? " (gradual: rising during the fine-tune)" : "");
                prunedWeights = model.stateDict();
            }
            TrainConfig outConfig = RunConfigs.withModel(config, prunedModel, Math.max(1, finetuneEpochs));
            RunDirs.writeConfig(out, outConfig);
            try (TrainingRun tuned = new TrainingRun(outConfig, true)) {
                tuned.model().loadStateDict(prunedWeights, true);
                if (finetuneEpochs > 0) {
                    fineTune(tuned, outConfig, out, masks == null ? null : pruning(tuned));
                } else {
                    ObjectNode t = new ObjectMapper().createObjectNode();
                    t.put("step", 0).put("epoch", 0).put("batch", 0);
                    Checkpoints.save(out, 0, tuned.model().stateDict(), Map.of(), t, 1);
                }
                Path file = Checkpoints.latest(out).orElseThrow().resolve("model.safetensors");
                long params = tuned.model().numParameters();
                Measurement after = Compare.measure(tuned, tuned.model(), outConfig, file, params, input.timingBatches);
                System.out.print(Measurement.table("original", before, "pruned", after));
                double zeros = zeroFraction(tuned.model());
                System.out.printf(Locale.ROOT, "  weight sparsity      %.4f (zeros among weights with ≥ 2 dims)%n", zeros);
                writeReport(out, before, after, zeros);
                System.out.println("pruned run: " + out.toAbsolutePath());
            }
            return 0;
        } catch (DataFileException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private MagnitudePruner.Scope scope() {
        return global ? MagnitudePruner.Scope.GLOBAL : MagnitudePruner.Scope.PER_LAYER;
    }

    /**
     * The callback that holds (or, with --gradual, raises) the masks during the fine-tune. Held masks are rebuilt
     * on the fine-tune model at the same sparsity: its weights were copied with the zeros, which are the smallest.
     */
    private TrainerCallback pruning(TrainingRun run) {
        MagnitudePruner p = new MagnitudePruner(run.model());
        if (!gradual) {
            p.prune(sparsity, scope());
            return p;
        }
        long total = run.plan().totalSteps();
        long end = Math.max(1, total * 3 / 4);
        return new GradualPruning(p, new CubicSparsity(0, sparsity, 0, end), scope(), (int) Math.max(1, end / 20));
    }

    private void fineTune(TrainingRun run, TrainConfig config, Path out, TrainerCallback masks) {
        System.out.printf(Locale.ROOT, "fine-tuning for %d epoch(s) into %s%n", finetuneEpochs, out);
        Trainer trainer = new Trainer(run.model(), run.loss(), run.optimizer(), run.schedule(), config.precision(),
                run.trainLoader(), run.testLoader(), run.plan(), out, null, run.trainFlopsPerSample(),
                MachinePeak.detect().gflops() * 1e9, System.out);
        if (masks != null) {
            trainer.addCallback(masks);
        }
        Trainer.Summary s = trainer.fit();
        System.out.printf(Locale.ROOT, "fine-tune done: %d steps in %.1f s%n", s.steps(), s.seconds());
    }

    private static double zeroFraction(Module model) {
        long zeros = 0;
        long total = 0;
        for (Tensor p : model.parameters()) {
            if (p.dim() >= 2) {
                for (float v : p.contiguous().toFloatArray()) {
                    zeros += v == 0f ? 1 : 0;
                }
                total += p.numel();
            }
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    private void writeReport(Path out, Measurement before, Measurement after, double zeros) throws IOException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("kind", "prune");
        o.put("source", input.source.toString());
        o.put("sparsity", sparsity);
        o.put("structured", structured);
        o.put("gradual", gradual);
        o.put("finetune_epochs", finetuneEpochs);
        o.put("weight_sparsity", zeros);
        o.set("before", before.toJson());
        o.set("after", after.toJson());
        Files.writeString(out.resolve("compression.json"), o.toPrettyString());
        System.out.println(o.toString());
    }
}
