/**
 * {@link dev.brisk.dist.launch.Launcher}: starts the worker JVMs of a job on this host ({@code brisk launch}),
 * prefixes their output by rank and restarts them all when one fails.
 */
package dev.brisk.dist.launch;
