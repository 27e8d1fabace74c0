/**
 * Data-parallel training: {@link dev.brisk.dist.ddp.DistributedDataParallel} (bucketed, overlapped gradient
 * all-reduce; PyTorch's DDP) and {@link dev.brisk.dist.ddp.GradientSync}, the small interface a training step calls
 * ({@code beforeForward}, {@code noSync}, {@code finishGradients}).
 */
package dev.brisk.dist.ddp;
