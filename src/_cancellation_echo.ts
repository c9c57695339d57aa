// The one rule for "an AbortError after cancellation is the echo of the cancellation", used
// by tasks and by the janitor. Work that honours its signal rejects with the signal's reason
// (fetch, `AbortSignal` itself) or with an AbortError of its own (node:timers/promises and
// events.once reject with one whose `cause` is the reason): either way it did what it was
// asked to, and failing it would make every graceful stop look like a crash.

/**
 * Whether `error`, thrown by work whose cancellation `reason` was already given, is just the
 * work honouring that cancellation. Call it only after the cancellation: before it an
 * AbortError is a real failure. Never throws, even when reading `name` does.
 */
export function isCancellationEcho(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  try {
    return (error as { name?: unknown } | null)?.name === "AbortError";
  } catch {
    return false;
  }
}
