/**
 * Asynchronous training: a sharded parameter server with bounded staleness over process-group links
 * ({@link dev.brisk.dist.ps.ParameterServer}, {@link dev.brisk.dist.ps.PsWorker}, {@link dev.brisk.dist.ps.PsLinks})
 * and lock-free shared parameters for Hogwild threads ({@link dev.brisk.dist.ps.HogwildParams}).
 */
package dev.brisk.dist.ps;
