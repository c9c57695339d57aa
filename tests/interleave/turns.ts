// Yielding to the event loop. The harness only ever yields through these, at points the
// model knows about: anything else would let the core's microtasks run at a time the
// model did not predict.
import { setImmediate } from "node:timers";

/**
 * One macrotask per flush, so every queued microtask has run when it returns. Neither
 * setTimeout(0) (clamped to ~2 ms once nested, in Deno) nor a MessageChannel (Deno
 * delivers its messages between microtasks) will do; setImmediate (node:timers, in both
 * runtimes) is a real macrotask and costs ~2 µs.
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A real timer, for letting the core's own deadlines (1 ms timeouts) pass. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
