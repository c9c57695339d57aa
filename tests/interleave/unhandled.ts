// A rejection nobody handled means a promise the core created and dropped, which no
// check of the model would notice: the runners collect them between seeds.

/**
 * Records unhandled promise rejections while installed (Deno and browsers:
 * `unhandledrejection` events; Bun/Node: `process.on("unhandledRejection")`).
 */
export function trackUnhandled(): {
  readonly reasons: unknown[];
  stop(): void;
} {
  const reasons: unknown[] = [];
  const host = globalThis as unknown as {
    Bun?: unknown;
    process?: {
      on(event: string, fn: (reason: unknown) => void): void;
      off(event: string, fn: (reason: unknown) => void): void;
    };
  };
  if (host.Bun !== undefined && host.process) {
    const onReason = (reason: unknown) => reasons.push(reason);
    host.process.on("unhandledRejection", onReason);
    return {
      reasons,
      stop: () => host.process!.off("unhandledRejection", onReason),
    };
  }
  const onEvent = (event: Event) => {
    event.preventDefault();
    reasons.push((event as PromiseRejectionEvent).reason);
  };
  globalThis.addEventListener("unhandledrejection", onEvent);
  return {
    reasons,
    stop: () => globalThis.removeEventListener("unhandledrejection", onEvent),
  };
}
