/**
 * Pruning. {@link dev.brisk.compress.prune.MagnitudePruner} zeroes the smallest weights (per layer or globally)
 * and keeps them at zero through training; {@link dev.brisk.compress.prune.GradualPruning} raises the sparsity on
 * the cubic schedule; {@link dev.brisk.compress.prune.StructuredPruner} removes whole channels and neurons so that
 * the model really gets smaller.
 */
package dev.brisk.compress.prune;
