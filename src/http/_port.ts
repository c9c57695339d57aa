// The one check of a port number in `./http` (serve()'s `options.port`, an attached
// listener's `port`): a `TypeError` for what is not a number, a `RangeError` naming the
// allowed range for a number outside it.
import { describe } from "../_validate.ts";

/** Throws unless `value` is a whole number from `lowest` to 65535; returns it. */
export function validatePort(
  value: unknown,
  name: string,
  lowest: 0 | 1,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot use ${name}: expected a port number, got ${describe(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < lowest || value > 65535) {
    throw new RangeError(
      `Cannot use ${name}: expected a whole number from ${lowest} to 65535, got ${value}`,
    );
  }
  return value;
}
