// Responses begun before the first signal on Bun. They are not followed there (following
// costs each request microseconds), so nothing says which ones are still being sent;
// Bun's `pendingRequests` says how many. What the runtime does tell (measured on Bun
// 1.4.5): `request.signal` aborts when a response still in progress loses its connection
// (the client left, Bun's idle timeout, `stop(true)`, which aborts inside the call) and
// never once the response was sent; and `server.timeout(request, seconds)` closes that
// request's connection once it has been idle (the client reading nothing) that long, on
// Bun's 4 s timer ticks. So the server keeps its last requests (a ring: one store per
// request); at the first signal each one whose client is still there gets the stall bound
// and a listener, and one that aborts afterwards is named: its response was not sent whole.
// Requests whose end the server learns otherwise (a followed body, a WebSocket) and
// upgrade requests are skipped.
import { pathOf } from "./scope.ts";

/** How many of the last requests are kept; older ones are counted, not named. */
export const RECENT = 256;

/** The part of Bun's server the watch uses. */
export interface RequestTimeouts {
  timeout?(request: Request, seconds: number): void;
}

/** What the ring keeps of a request: its scope. */
export interface RecentRequest {
  readonly request: Request;
  /** Whether the server learns how the response ends without this watch. */
  readonly followed: boolean;
}

/** The last `RECENT` requests served, and how the watched ones ended. */
export class RecentRequests {
  readonly #ring: (RecentRequest | undefined)[] = new Array(RECENT);
  #next = 0;
  /** Bun's server, from the first request's second argument. */
  server: RequestTimeouts | undefined;

  add(request: RecentRequest): void {
    this.#ring[this.#next] = request;
    this.#next = (this.#next + 1) % RECENT;
  }

  /**
   * The first signal: every kept request not followed nor in `tracked` whose connection is still there
   * is closed by Bun once idle for `stallMs` (rounded up to seconds), and `lost` is called
   * if its connection closes before its response was sent whole. The ring is emptied.
   */
  watch(
    tracked: Set<RecentRequest>,
    stallMs: number,
    lost: (name: string) => void,
  ): void {
    const seconds = Math.max(1, Math.ceil(stallMs / 1000));
    for (const entry of this.#ring) {
      if (entry === undefined || entry.followed || tracked.has(entry)) continue;
      const request = entry.request;
      // A WebSocket a framework upgraded itself (`hono/bun`): its request's signal aborts
      // when the socket closes, which the drain does.
      if (request.signal.aborted || request.headers.has("upgrade")) continue;
      try {
        this.server?.timeout?.(request, seconds);
      } catch {
        // Not Bun's server, or the request is over: no bound but the deadline.
      }
      request.signal.addEventListener(
        "abort",
        () => lost(`${request.method} ${pathOf(request.url)}`),
        { once: true },
      );
    }
    this.#ring.fill(undefined);
  }
}

/**
 * The failure for a response begun before the first signal whose connection closed before
 * it was sent whole: at the deadline (`close()`), or earlier (the stall bound, the client).
 */
export function lostResponse(
  name: string,
  atDeadline: boolean,
  stallMs: number,
): Error {
  return new Error(
    atDeadline
      ? `${name}: the response was cut at the deadline: begun before the first signal, it was still being sent`
      : `${name}: the response begun before the first signal was not sent whole: its connection closed (the client read nothing for about ${stallMs} ms, or left)`,
  );
}

/** The failure counting `count` responses `close()` cut at the deadline, unnamed. */
export function cutUnnamed(count: number): Error {
  return new Error(
    `${count} ${
      count === 1 ? "response" : "responses"
    } begun before the first signal still being sent at the deadline: cut (the runtime does not tell which)`,
  );
}
