// Turning a callee's or job's return value into a promise on the hot path.

const nativeThen = Promise.prototype.then;

/**
 * Whether `value` is a promise whose `then` is the native one: it can be returned or
 * chained as is. An inline-cached property check; `instanceof` or `Promise.resolve` cost a
 * measurable share of an `ensureJanitor` call on V8.
 */
export function isNativePromise(value: unknown): value is Promise<unknown> {
  return typeof value === "object" && value !== null &&
    (value as { then?: unknown }).then === nativeThen;
}
