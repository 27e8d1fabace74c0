/**
 * Pipeline parallelism: a sequential model cut into stages ({@link dev.brisk.dist.pipeline.StagePartition}, by
 * layer count or by measured cost), one stage per rank of a process group
 * ({@link dev.brisk.dist.pipeline.PipelineStage}), run with the GPipe or 1F1B schedule
 * ({@link dev.brisk.dist.pipeline.PipelineSchedule}).
 */
package dev.brisk.dist.pipeline;
