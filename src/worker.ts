/**
 * x
 * @example e
 * ```ts
 * import { x } from "@quiesce/quiesce/worker";
 * console.log(x, import.meta.resolve("@quiesce/quiesce/worker"), import.meta.resolve("@quiesce/quiesce"));
 * ```
 * @module
 */
/** x */
export const x = 1;
