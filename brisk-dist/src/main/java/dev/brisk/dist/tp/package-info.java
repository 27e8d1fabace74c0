/**
 * Tensor parallelism in the Megatron layout: column- and row-parallel linear layers joined by the conjugate
 * communication ops f and g ({@link dev.brisk.dist.tp.TpRegions}), the tensor-parallel MLP, attention with heads
 * split across ranks, and a whole transformer block; per-rank dropout streams ({@link dev.brisk.dist.tp.TpRng});
 * a 2-D tensor × data parallel layout ({@link dev.brisk.dist.tp.TpDpGrid}).
 */
package dev.brisk.dist.tp;
