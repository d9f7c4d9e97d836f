/**
 * `faultscope bench`: placeholder until the ring lands (issue 3).
 * @module
 */
import type { Command } from "@commander-js/extra-typings";

/** Adds the `bench` command to the program. */
export function registerBench(_program: Command): void {}
