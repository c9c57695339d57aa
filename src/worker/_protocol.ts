// The two messages of the stop protocol. Namespaced under a `quiesce` key so they cannot be
// mistaken for an application's own messages (and vice versa).

/** The message `stopWorker` posts to ask a worker to drain. */
export const SHUTDOWN_MESSAGE = { quiesce: "shutdown" } as const;

/** The kind of a protocol message, read from its `quiesce` key. */
function kindOf(data: unknown): unknown {
  return typeof data === "object" && data !== null
    ? (data as { quiesce?: unknown }).quiesce
    : undefined;
}

/** Whether `data` is the parent's shutdown request. */
export function isShutdown(data: unknown): boolean {
  return kindOf(data) === "shutdown";
}

/** Whether `data` is the worker's acknowledgement. */
export function isStopped(data: unknown): boolean {
  return kindOf(data) === "stopped";
}

/**
 * Whether `data` is one of quiesce's own worker messages (`{ quiesce: "shutdown" }` from the
 * parent, `{ quiesce: "stopped", code }` from the worker), so an application's `message`
 * handler can skip them.
 *
 * @example Skip quiesce's messages in your own handler
 * ```ts
 * import { isQuiesceMessage } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(isQuiesceMessage({ quiesce: "shutdown" }), true);
 * assertEquals(isQuiesceMessage({ quiesce: "stopped", code: 0 }), true);
 * assertEquals(isQuiesceMessage({ job: 42 }), false);
 * assertEquals(isQuiesceMessage("shutdown"), false);
 * ```
 *
 * @param data A message's `data`.
 * @returns True for the shutdown request and the acknowledgement, false for anything else.
 */
export function isQuiesceMessage(data: unknown): boolean {
  return isShutdown(data) || isStopped(data);
}
