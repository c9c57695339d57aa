// Telling quiesce's own worker messages apart from an application's: public, so it lives
// here rather than beside the protocol's internals (./_protocol.ts).
import { isShutdown, isStopped } from "./_protocol.ts";

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
