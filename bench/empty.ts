/**
 * An empty script: the floor of whole-process start-up, run with the same flags as faultscope
 * in `bench/core_perf.sh`.
 *
 * @module
 */
