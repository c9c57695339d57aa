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

/** Throws unless `value` is an `AbortSignal` (or `undefined` when `optional`). */
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

/** Throws unless `value` is `undefined` or a plain options object. */
export function validateOptions(value: unknown, name: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object") {
    throw new TypeError(
      `Cannot use ${name}: expected an options object, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is a promise-like (has a callable `then`). */
export function validateThenable(value: unknown, name: string): void {
  if (
    value === null ||
    (typeof value !== "object" && typeof value !== "function") ||
    typeof (value as { then?: unknown }).then !== "function"
  ) {
    throw new TypeError(
      `Cannot use ${name}: expected a promise, got ${describe(value)}`,
    );
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string "${value}"`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor
      ?.name;
    return ctor ? `an instance of ${ctor}` : "an object";
  }
  return `${typeof value} ${String(value)}`;
}
