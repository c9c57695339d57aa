// Naming the responses the deadline cuts on Bun. A response returned before the first
// signal is not followed there (following costs each request microseconds), so nothing
// says which ones are still being sent; Bun's `pendingRequests` says how many. What the
// runtime does tell: `request.signal` of a request whose response `stop(true)` cuts aborts
// at once, inside the call, while one whose response was sent never aborts (measured on
// Bun 1.4.5). So the server keeps its last requests (a ring: one store per request), and
// at the deadline those that were not aborted before `close()` and are after it were cut.
import { pathOf } from "./scope.ts";

/** How many of the last requests are kept; older ones are counted, not named. */
export const RECENT = 256;

/** The last `RECENT` requests served. */
export class RecentRequests {
  readonly #ring: (Request | undefined)[] = new Array(RECENT);
  #next = 0;

  add(request: Request): void {
    this.#ring[this.#next] = request;
    this.#next = (this.#next + 1) % RECENT;
  }

  /** The kept requests not in `tracked` whose client was still there: read before `close()`. */
  sending(tracked: Set<Request>): Request[] {
    return this.#ring.filter((r): r is Request =>
      r !== undefined && !tracked.has(r) && !r.signal.aborted
    );
  }
}

/**
 * The failures for `count` untracked responses `close()` cut: one naming each of
 * `candidates` whose signal aborted in the meantime, and one counting the rest.
 */
export function cutAtDeadline(
  count: number,
  candidates: Request[] | undefined,
): Error[] {
  const cut = (candidates ?? []).filter((r) => r.signal.aborted);
  const errors = cut.map((r) =>
    new Error(
      `${r.method} ${
        pathOf(r.url)
      }: the response was cut at the deadline: begun before the first signal, it was still being sent`,
    )
  );
  const rest = count - cut.length;
  if (rest > 0) {
    errors.push(
      new Error(
        `${rest} ${
          rest === 1 ? "response" : "responses"
        } begun before the first signal still being sent at the deadline: cut (the runtime does not tell which)`,
      ),
    );
  }
  return errors;
}
