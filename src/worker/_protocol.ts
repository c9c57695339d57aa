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
