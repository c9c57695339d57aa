/**
 * Offline stand-in for the `@std/assert` entry point, for machines that cannot reach JSR.
 *
 * Only the assertions the suite uses are here, each as strict as `@std/assert`'s: the same
 * signatures, the same pass/fail outcomes, the same `AssertionError` name. Failure messages
 * are shorter; no test may depend on their text.
 *
 * @module
 */
import { inspect, isDeepStrictEqual } from "node:util";

/** Thrown when an assertion fails, as `@std/assert`'s `AssertionError`. */
export class AssertionError extends Error {
  /** Creates the error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

// deno-lint-ignore no-explicit-any
type AnyConstructor = abstract new (...args: any[]) => unknown;
type GetConstructorType<T extends AnyConstructor> = InstanceType<T>;

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Infinity });
}

function suffix(msg?: string): string {
  return msg ? `: ${msg}` : "";
}

/** Passes when `expr` is truthy. */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg);
}

/** Passes when `expr` is falsy. */
export function assertFalse(expr: unknown, msg = ""): void {
  if (expr) throw new AssertionError(msg);
}

/** Passes when `actual` and `expected` are deeply equal. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `Values are not equal${suffix(msg)}\n  actual:   ${
        show(actual)
      }\n  expected: ${show(expected)}`,
    );
  }
}

/** Passes when `actual` and `expected` are not deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `Expected actual: ${show(actual)} not to be equal${suffix(msg)}`,
    );
  }
}

/** Passes when `actual` and `expected` are the same value (`Object.is`). */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(
      `Values are not strictly equal${suffix(msg)}\n  actual:   ${
        show(actual)
      }\n  expected: ${show(expected)}`,
    );
  }
}

/** Passes when `actual` is neither `null` nor `undefined`. */
export function assertExists<T>(
  actual: T,
  msg?: string,
): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(
      `Expected actual: "${actual}" to not be null or undefined${suffix(msg)}`,
    );
  }
}

/** Passes when `actual` is an instance of `expectedType`. */
export function assertInstanceOf<T extends AnyConstructor>(
  actual: unknown,
  expectedType: T,
  msg = "",
): asserts actual is GetConstructorType<T> {
  if (!(actual instanceof expectedType)) {
    throw new AssertionError(
      msg || `Expected object to be an instance of "${expectedType.name}"`,
    );
  }
}

/** Passes when `actual` contains `expected`. */
export function assertStringIncludes(
  actual: string,
  expected: string,
  msg?: string,
): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`,
    );
  }
}

/** Passes when `actual` matches `expected`. */
export function assertMatch(
  actual: string,
  expected: RegExp,
  msg?: string,
): void {
  if (!expected.test(actual)) {
    throw new AssertionError(
      `Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`,
    );
  }
}

/** Passes when `actual > expected`. */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual > expected)) {
    throw new AssertionError(msg ?? `Expect ${actual} > ${expected}`);
  }
}

/** Passes when `actual >= expected`. */
export function assertGreaterOrEqual<T>(
  actual: T,
  expected: T,
  msg?: string,
): void {
  if (!(actual >= expected)) {
    throw new AssertionError(msg ?? `Expect ${actual} >= ${expected}`);
  }
}

/** Passes when `actual < expected`. */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual < expected)) {
    throw new AssertionError(msg ?? `Expect ${actual} < ${expected}`);
  }
}

/** Passes when `actual <= expected`. */
export function assertLessOrEqual<T>(
  actual: T,
  expected: T,
  msg?: string,
): void {
  if (!(actual <= expected)) {
    throw new AssertionError(msg ?? `Expect ${actual} <= ${expected}`);
  }
}

/** Passes when `actual` includes every element of `expected` (deep equality). */
export function assertArrayIncludes<T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
): void {
  const missing = Array.from(expected).filter((want) =>
    !Array.from(actual).some((have) => isDeepStrictEqual(have, want))
  );
  if (missing.length > 0) {
    throw new AssertionError(
      `Expected actual: "${show(actual)}" to include: "${show(expected)}"${
        suffix(msg)
      }`,
    );
  }
}

/** Always fails. */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${suffix(msg)}`);
}

function assertIsError(
  error: unknown,
  ErrorClass?: AnyConstructor,
  msgIncludes?: string,
): void {
  if (!(error instanceof Error)) {
    throw new AssertionError('Expected "error" to be an Error object.');
  }
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${error.constructor.name}".`,
    );
  }
  if (msgIncludes !== undefined && !error.message.includes(msgIncludes)) {
    throw new AssertionError(
      `Expected error message to include "${msgIncludes}", but got "${error.message}".`,
    );
  }
}

/** Executes `fn`, expecting it to throw; returns what it threw. */
export function assertThrows(fn: () => unknown, msg?: string): unknown;
/** Executes `fn`, expecting it to throw an instance of `ErrorClass`; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass: abstract new (...args: never[]) => E,
  msgIncludes?: string,
  msg?: string,
): E;
export function assertThrows(
  fn: () => unknown,
  errorClassOrMsg?: AnyConstructor | string,
  msgIncludes?: string,
  msg?: string,
): unknown {
  const ErrorClass = typeof errorClassOrMsg === "function"
    ? errorClassOrMsg
    : undefined;
  const message = typeof errorClassOrMsg === "string" ? errorClassOrMsg : msg;
  try {
    fn();
  } catch (error) {
    if (ErrorClass) {
      if (!(error instanceof Error)) {
        throw new AssertionError("A non-Error object was thrown.");
      }
      assertIsError(error, ErrorClass, msgIncludes);
    }
    return error;
  }
  throw new AssertionError(`Expected function to throw${suffix(message)}`);
}

/** Executes `fn`, expecting its promise to reject; resolves to the rejection. */
export function assertRejects(
  fn: () => PromiseLike<unknown>,
  msg?: string,
): Promise<unknown>;
/** Executes `fn`, expecting its promise to reject with an instance of `ErrorClass`. */
export function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass: abstract new (...args: never[]) => E,
  msgIncludes?: string,
  msg?: string,
): Promise<E>;
export async function assertRejects(
  fn: () => PromiseLike<unknown>,
  errorClassOrMsg?: AnyConstructor | string,
  msgIncludes?: string,
  msg?: string,
): Promise<unknown> {
  const ErrorClass = typeof errorClassOrMsg === "function"
    ? errorClassOrMsg
    : undefined;
  const message = typeof errorClassOrMsg === "string" ? errorClassOrMsg : msg;
  let promise: PromiseLike<unknown>;
  try {
    promise = fn();
  } catch (error) {
    if (ErrorClass && !(error instanceof Error)) {
      throw new AssertionError("A non-Error object was thrown.");
    }
    throw new AssertionError(
      `Function throws when expected to reject${suffix(message)}`,
    );
  }
  if (!promise || typeof promise.then !== "function") {
    throw new AssertionError(
      `Function throws when expected to reject${suffix(message)}`,
    );
  }
  try {
    await promise;
  } catch (error) {
    if (ErrorClass) {
      if (!(error instanceof Error)) {
        throw new AssertionError("A non-Error object was rejected.");
      }
      assertIsError(error, ErrorClass, msgIncludes);
    }
    return error;
  }
  throw new AssertionError(`Expected function to reject${suffix(message)}`);
}
