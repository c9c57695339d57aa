// Collects what the code under test reports as uncaught (`reportError`, or an exception
// thrown from a microtask), which would otherwise fail the test, so a test can assert on it.

/** Errors reported as uncaught while the collector is live; dispose to stop collecting. */
export function collectUncaught(): { errors: unknown[] } & Disposable {
  const errors: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    errors.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  return {
    errors,
    [Symbol.dispose]: () => globalThis.removeEventListener("error", onError),
  };
}

/** Unhandled rejections while the collector is live; dispose to stop collecting. */
export function collectUnhandled(): { reasons: unknown[] } & Disposable {
  const reasons: unknown[] = [];
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    reasons.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  return {
    reasons,
    [Symbol.dispose]: () =>
      globalThis.removeEventListener("unhandledrejection", onRejection),
  };
}
