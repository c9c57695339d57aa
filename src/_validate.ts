// Argument checks shared by the public entry points, so every bad input gets the same
// clear `TypeError`/`RangeError` naming the argument.

/** Throws unless `value` is a non-negative number of milliseconds (`Infinity` allowed). */
export function validateMs(value: unknown, name: string): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot use ${name}: expected a number of milliseconds, got ${
        describe(value)
      }`,
    );
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `Cannot use ${name}: expected a non-negative number of milliseconds or Infinity, got ${value}`,
    );
  }
  return value;
}

/** Throws unless `value` is a function. */
export function validateFunction(value: unknown, name: string): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `Cannot use ${name}: expected a function, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is `undefined` or a boolean. */
export function validateBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(
      `Cannot use ${name}: expected a boolean, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is `undefined` or an `AbortSignal`. */
export function validateSignal(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof AbortSignal === "undefined" || !(value instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot use ${name}: expected an AbortSignal, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is a non-empty string. */
export function validateName(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(
      `Cannot use ${name}: expected a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Throws unless `value` is `undefined` or an options object whose every own key is one of
 * `known`: a misspelled option must not silently leave the default in place.
 */
export function validateOptions(
  value: unknown,
  name: string,
  known: readonly string[],
): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object") {
    throw new TypeError(
      `Cannot use ${name}: expected an options object, got ${describe(value)}`,
    );
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const closest = closestName(key, known);
    throw new TypeError(
      `Cannot use ${name}: unknown option "${key}"${
        closest === undefined ? "" : `; did you mean "${closest}"?`
      } (known: ${known.join(", ")})`,
    );
  }
}

/** The name in `known` nearest to `key` by edit distance, if any is reasonably near. */
function closestName(
  key: string,
  known: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Past half the name's length the "suggestion" is noise.
  return bestDistance <= Math.max(2, Math.floor(key.length / 2))
    ? best
    : undefined;
}

/** Levenshtein distance, with adjacent transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        rows[i - 1]![j]! + 1,
        rows[i]![j - 1]! + 1,
        rows[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}

/** Whether `value` is a promise-like (has a callable `then`). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/** Throws unless `value` is a promise-like (has a callable `then`). */
export function validateThenable(value: unknown, name: string): void {
  if (!isThenable(value)) {
    throw new TypeError(
      `Cannot use ${name}: expected a promise, got ${describe(value)}`,
    );
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `the string "${value}"`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor
      ?.name;
    return ctor ? `an instance of ${ctor}` : "an object";
  }
  return `${typeof value} ${String(value)}`;
}
