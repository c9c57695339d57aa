// The one timer helper: setTimeout caps at 2^31-1 ms (24.8 days) and fires at once past it,
// so a long deadline chains timers instead of silently turning into "now".

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` after `ms` milliseconds (`Infinity`: never, and no timer is held); returns a
 * canceller that is safe to call more than once.
 */
export function startTimer(ms: number, fn: () => void): () => void {
  if (ms === Infinity) return () => {};
  let id: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    id = setTimeout(
      left > MAX_TIMER_MS ? () => arm(left - MAX_TIMER_MS) : fn,
      Math.min(left, MAX_TIMER_MS),
    );
  };
  arm(ms);
  return () => clearTimeout(id);
}

/**
 * Lets the process end while `timer` is pending (Deno's `unrefTimer`, Node's and Bun's
 * `unref()`); does nothing where the host has neither (browsers never wait for timers).
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } })
    .Deno;
  if (typeof deno?.unrefTimer === "function" && typeof timer === "number") {
    deno.unrefTimer(timer);
    return;
  }
  (timer as { unref?: () => void }).unref?.();
}
