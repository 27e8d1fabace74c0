package dev.brisk.dist.ddp;

import dev.brisk.dist.Chunking;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.dist.Work;
import dev.brisk.dist.ddp.DistributedDataParallel.Bucket;
import dev.brisk.dist.ddp.DistributedDataParallel.Param;
import dev.brisk.optim.Lamb;
import dev.brisk.optim.Lars;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.ParamGroup;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ZeRO stages 1 and 2 (Rajbhandari et al. 2020) over the buckets of a {@link DistributedDataParallel}: rank
 * {@code r} owns chunk {@code r} of every bucket ({@link Chunking}), i.e. a contiguous slice of the flattened
 * gradients, and keeps optimizer state only for that slice.
 *
 * <p>Each owned slice of a parameter becomes a <em>shard view</em>: a 1-D tensor sharing the parameter's storage,
 * given to an ordinary {@link Optimizer} built with the same rule, learning rate and groups, so the fused update
 * kernels run unchanged on {@code Ψ/N} elements and the state ({@code K} slots) is allocated for them only. After the
 * step the updated slices are all-gathered (one collective per bucket), which leaves every replica identical.
 * Elementwise rules only: LAMB and LARS scale each parameter by a norm taken over the whole tensor, which a slice
 * does not have.
 *
 * <p>Both stages reduce-scatter the gradient buckets (plus a small all-reduce of the "has a gradient" flags): a
 * rank reads only its own chunk, and with the all-gather of the parameters a step moves as many bytes as DDP's
 * all-reduce ({@code 2Ψ} elements through the ring), not half as many more. The owned chunk is copied into a persistent
 * shard ({@code 4Ψ/N} bytes), which the shard views' gradients point into: the bucket buffers are reused by
 * {@link #gatherParameters}, so a gradient that aliased them would turn into parameters. Stage 1 keeps the bucket
 * buffers between steps; stage 2 drops them once the parameters are gathered, so between steps a rank holds only
 * its gradient shard. (During the step the bucket buffers exist in full, as autograd's own gradients do: the
 * saving is of the state that lives across steps.)
 */
final class ZeroShards {

    /** One owned slice: elements {@code [from, from+length)} of a parameter, at {@code gradOffset} in the shard. */
    private record Slice(Param param, int from, int length, int bucketOffset, int gradOffset, String name,
                         Tensor view) {
    }

    private final int stage;
    private final ProcessGroup group;
    private final List<Bucket> buckets;
    private final List<Slice> slices = new ArrayList<>();
    private final Map<Param, List<Slice>> byParam = new LinkedHashMap<>();
    private final float[] shardGrad;
    private final int shardNumel;
    private final long totalNumel;

    ZeroShards(int stage, ProcessGroup group, List<Bucket> buckets) {
        this.stage = stage;
        this.group = group;
        this.buckets = buckets;
        int rank = group.rank();
        int gradOffset = 0;
        long total = 0;
        try (var ng = GradMode.noGrad()) {
            for (Bucket b : buckets) {
                Chunking c = new Chunking(b.numel, group.size());
                int lo = c.start(rank);
                int hi = c.end(rank);
                total += b.numel;
                for (Param p : b.params) {
                    int a = Math.max(lo, p.offset);
                    int e = Math.min(hi, p.offset + p.numel);
                    if (a >= e) {
                        continue;
                    }
                    int from = a - p.offset;
                    int len = e - a;
                    String name = len == p.numel ? p.name : p.name + "[" + from + ":" + (from + len) + "]";
                    Tensor view = p.tensor.detach().reshape(-1).narrow(0, from, len);
                    Slice s = new Slice(p, from, len, a, gradOffset, name, view);
                    slices.add(s);
                    byParam.computeIfAbsent(p, k -> new ArrayList<>()).add(s);
                    gradOffset += len;
                }
            }
        }
        this.shardNumel = gradOffset;
        this.shardGrad = new float[gradOffset];
        this.totalNumel = total;
    }

    int stage() {
        return stage;
    }

    /** Elements of the gradient this rank owns. */
    int shardNumel() {
        return shardNumel;
    }

    /**
     * An optimizer with {@code full}'s rule, learning rate and groups over this rank's shard views; {@code full}
     * must not have stepped yet (its state would be lost).
     */
    Optimizer shard(Optimizer full) {
        if (full.rule() instanceof Lamb || full.rule() instanceof Lars) {
            throw new IllegalArgumentException("ZeRO shards each parameter across ranks, but "
                    + full.rule().getClass().getSimpleName() + " scales every parameter by a norm over the whole "
                    + "tensor; use an elementwise optimizer (sgd, adam, adamw, rmsprop, adagrad) or dist.zero=0");
        }
        if (!full.stateDict().isEmpty()) {
            throw new IllegalStateException("ZeRO: the optimizer to shard has already stepped; shard it before "
                    + "training (its state would be dropped)");
        }
        Map<Tensor, Param> byTensor = new HashMap<>();
        byParam.keySet().forEach(p -> byTensor.put(p.tensor, p));
        List<ParamGroup> groups = new ArrayList<>();
        for (ParamGroup g : full.groups()) {
            Map<String, Tensor> views = new LinkedHashMap<>();
            for (Tensor t : g.params().values()) {
                Param p = byTensor.get(t);
                if (p != null) {
                    byParam.get(p).forEach(s -> views.put(s.name, s.view));
                }
            }
            groups.add(new ParamGroup(g.name(), views, g.lrScale(), g.weightDecay()));
        }
        return new Optimizer(full.rule(), full.lr(), groups.toArray(ParamGroup[]::new));
    }

    /** Starts bucket {@code b}'s reduction: reduce-scatter of the gradients (this rank needs only its chunk). */
    Work start(Bucket b) {
        group.reduceScatterAsync(b.flat, 0, b.numel, Reduction.AVG);
        // the "has a gradient" flags: every rank needs them all; queued after the reduce-scatter, so done after it
        return group.allReduceAsync(b.flat, b.numel, b.params.size(), Reduction.AVG);
    }

    /**
     * Once every bucket is reduced: the owned gradient slices go to the shard views (null where no rank had a
     * gradient, so the optimizer skips them) and the full-size gradients of the module are released.
     */
    void takeGradients() {
        for (Slice s : slices) {
            Bucket b = s.param.bucket;
            if (b.flat[b.numel + s.param.slot] <= 0f) {
                s.view.setGrad(null);
                continue;
            }
            System.arraycopy(b.flat, s.bucketOffset, shardGrad, s.gradOffset, s.length);
            s.view.setGrad(Tensor.wrap(DType.F32, shardGrad).narrow(0, s.gradOffset, s.length));
        }
        for (Bucket b : buckets) {
            for (Param p : b.params) {
                p.tensor.setGrad(null);
            }
        }
    }

    /**
     * The global gradient norm (the shards' sums of squares added over ranks), after which the shard gradients are
     * clipped to {@code maxNorm} if it is given, as {@code GradClip.byGlobalNorm} does for whole gradients.
     */
    double clip(Map<String, Tensor> views, Double maxNorm) {
        var k = Kernels.get().optimizers();
        double local = 0;
        for (Tensor v : views.values()) {
            Tensor g = v.grad();
            if (g != null) {
                local += k.sumOfSquares(g.storage().floats(), g.offset(), g.numel());
            }
        }
        // float partial sums, reduced in the same order on every rank: the same norm (bits) everywhere
        float[] sum = {(float) local};
        group.allReduce(sum, Reduction.SUM);
        double norm = Math.sqrt(sum[0]);
        if (maxNorm != null) {
            if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("clip by global norm: maxNorm must be a positive finite number, "
                        + "got " + maxNorm);
            }
            double c = maxNorm / (norm + 1e-6); // the same epsilon as GradClip.byGlobalNorm (PyTorch's)
            if (Double.isFinite(norm) && c < 1) {
                for (Tensor v : views.values()) {
                    Tensor g = v.grad();
                    if (g != null) {
                        k.scale(g.storage().floats(), g.offset(), g.numel(), (float) c);
                    }
                }
            }
        }
        return norm;
    }

    /** All-gathers the updated parameter slices: every rank ends with every parameter. */
    void gatherParameters() {
        List<Work> works = new ArrayList<>(buckets.size());
        for (Bucket b : buckets) {
            if (b.flat == null) {
                b.flat = new float[b.numel + b.params.size()];
            }
            for (Param p : b.params) {
                List<Slice> own = byParam.get(p);
                if (own != null) {
                    for (Slice s : own) {
                        System.arraycopy(p.tensor.storage().floats(), p.tensor.offset() + s.from, b.flat,
                                s.bucketOffset, s.length);
                    }
                }
            }
            works.add(group.allGatherAsync(b.flat, 0, b.numel));
        }
        for (int i = 0; i < buckets.size(); i++) {
            works.get(i).await();
            Bucket b = buckets.get(i);
            for (Param p : b.params) {
                System.arraycopy(b.flat, p.offset, p.tensor.storage().floats(), p.tensor.offset(), p.numel);
            }
            if (stage == 2) {
                b.flat = null; // only the shard of the gradients lives between steps
            }
        }
    }

    /**
     * The sharded state of {@code opt} gathered into the single-process format (collective): for each slot, one
     * all-gather per bucket; a parameter's step count is the largest any rank holds for it.
     */
    Map<String, Tensor> consolidatedState(Optimizer opt) {
        Map<String, Tensor> local = opt.stateDict();
        List<String> slots = opt.rule().stateSlots();
        List<Param> all = new ArrayList<>();
        buckets.forEach(b -> all.addAll(b.params));
        float[] steps = new float[all.size()];
        for (int i = 0; i < all.size(); i++) {
            List<Slice> own = byParam.get(all.get(i));
            if (own != null) {
                Tensor st = local.get(own.get(0).name + ".step");
                steps[i] = st == null ? 0 : st.toLongArray()[0];
            }
        }
        group.allReduce(steps, Reduction.MAX);
        Map<Param, Tensor[]> full = new LinkedHashMap<>();
        for (Bucket b : buckets) {
            float[] flat = new float[b.numel];
            for (int k = 0; k < slots.size(); k++) {
                java.util.Arrays.fill(flat, 0f);
                for (Param p : b.params) {
                    for (Slice s : byParam.getOrDefault(p, List.of())) {
                        Tensor t = local.get(s.name + "." + slots.get(k));
                        if (t != null) {
                            System.arraycopy(t.toFloatArray(), 0, flat, s.bucketOffset, s.length);
                        }
                    }
                }
                group.allGather(flat, 0, b.numel);
                for (Param p : b.params) {
                    Tensor[] ts = full.computeIfAbsent(p, x -> new Tensor[slots.size()]);
                    float[] part = new float[p.numel];
                    System.arraycopy(flat, p.offset, part, 0, p.numel);
                    ts[k] = Tensor.of(part, p.tensor.shape());
                }
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            Param p = all.get(i);
            if (steps[i] <= 0) {
                continue; // never updated: no state, as in the single-process optimizer
            }
            Tensor[] ts = full.get(p);
            for (int k = 0; k < slots.size(); k++) {
                out.put(p.name + "." + slots.get(k), ts[k]);
            }
            out.put(p.name + ".step", Tensor.ofLongs(new long[] {(long) steps[i]}, 1).reshape());
        }
        return out;
    }

    /** Loads this rank's slices of a single-process-format state into {@code opt} (no communication). */
    void loadState(Optimizer opt, Map<String, Tensor> state) {
        List<String> slots = opt.rule().stateSlots();
        Map<String, Tensor> mine = new LinkedHashMap<>();
        Map<String, Param> params = new HashMap<>();
        byParam.keySet().forEach(p -> params.put(p.name, p));
        java.util.Set<String> all = new java.util.HashSet<>();
        buckets.forEach(b -> b.params.forEach(q -> all.add(q.name)));
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            Param p = dot < 0 ? null : params.get(key.substring(0, dot));
            if (p == null) {
                if (dot > 0 && all.contains(key.substring(0, dot))) {
                    continue; // a parameter another rank owns entirely
                }
                mine.put(key, e.getValue()); // let the optimizer name what is wrong
                continue;
            }
            String slot = key.substring(dot + 1);
            for (Slice s : byParam.get(p)) {
                if (slot.equals("step")) {
                    mine.put(s.name + ".step", e.getValue());
                } else if (slots.contains(slot) && e.getValue().numel() == p.numel) {
                    float[] whole = e.getValue().to(DType.F32).contiguous().toFloatArray();
                    float[] part = new float[s.length];
                    System.arraycopy(whole, s.from, part, 0, s.length);
                    mine.put(s.name + "." + slot, Tensor.of(part, s.length));
                } else {
                    mine.put(key, e.getValue());
                }
            }
        }
        opt.loadStateDict(mine);
    }

    /** Bytes this rank holds for model states, measured, next to what the ZeRO formulas predict. */
    ZeroMemory memory(Optimizer opt) {
        long stateFloats = 0;
        for (Tensor t : opt.stateDict().values()) {
            if (t.dtype() == DType.F32) {
                stateFloats += t.numel();
            }
        }
        long gradFloats = stage == 1 ? totalNumel + shardNumel : shardNumel; // stage 1: the kept buckets too
        int k = opt.rule().stateSlots().size();
        int n = group.size();
        return new ZeroMemory(stage, n, 4 * totalNumel, 4 * gradFloats, 4 * stateFloats,
                stage == 1 ? 4 * totalNumel : 4 * totalNumel / n, 4L * k * totalNumel / n, k);
    }
}
