/**
 * `faultscope simulate`: placeholder until the simulator lands (issue 4).
 * @module
 */
import type { Command } from "@commander-js/extra-typings";

/** Adds the `simulate` command to the program. */
export function registerSimulate(_program: Command): void {}
