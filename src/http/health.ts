import type { GracefulShutdown } from "../shutdown.ts";
import { describe } from "../_validate.ts";

/** A health answer: 200 `ok`, or 503 with why (`starting`, `draining`), never cached. */
export function healthResponse(ok: boolean, why = "draining"): Response {
  return new Response(ok ? "ok\n" : `${why}\n`, {
    status: ok ? 200 : 503,
    headers: { "content-type": "text/plain", "cache-control": "no-store" },
  });
}

/**
 * The readiness answer from the coordinator's one ready state: 200 `ok` while
 * `shutdown.isReady`, else 503 `draining` from the first signal on, or `starting` before
 * the program's `ready()` (under `awaitReady`).
 */
export function readinessResponse(shutdown: GracefulShutdown): Response {
  if (shutdown.isReady) return healthResponse(true);
  return healthResponse(false, shutdown.draining ? "draining" : "starting");
}

/** Throws unless `shutdown` is a `GracefulShutdown` (what every `./http` piece is given). */
export function checkShutdown(
  shutdown: unknown,
): asserts shutdown is GracefulShutdown {
  if (
    typeof (shutdown as GracefulShutdown | undefined)?.subscribe !== "function"
  ) {
    throw new TypeError(
      `Cannot use shutdown: expected a GracefulShutdown, got ${
        describe(shutdown)
      }`,
    );
  }
}

/**
 * A readiness handler (Kubernetes `readinessProbe`, a balancer's health check): 200 `ok`
 * while {@linkcode GracefulShutdown.isReady}, then 503 `draining` from the first shutdown
 * signal on, so traffic moves away during `drainDelay` while the listener still serves.
 * Under the coordinator's `awaitReady` option it answers 503 `starting` until the
 * program calls `ready()`.
 *
 * @example Route `/healthz` in your own router
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { readiness } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const ready = readiness(shutdown);
 * assertEquals(ready().status, 200);
 * await shutdown.shutdown();
 * assertEquals(ready().status, 503);
 * ```
 *
 * @example 503 `starting` until the program says it is ready
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { readiness } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false, awaitReady: true });
 * const ready = readiness(shutdown);
 * assertEquals([ready().status, await ready().text()], [503, "starting\n"]);
 * shutdown.ready(); // connected and listening
 * assertEquals(ready().status, 200);
 * await shutdown.shutdown();
 * assertEquals([ready().status, await ready().text()], [503, "draining\n"]);
 * ```
 *
 * @throws {TypeError} If `shutdown` is not a `GracefulShutdown`.
 */
export function readiness(shutdown: GracefulShutdown): () => Response {
  checkShutdown(shutdown);
  return () => readinessResponse(shutdown);
}

/**
 * A liveness handler (Kubernetes `livenessProbe`): 200 `ok` while the process runs, during
 * the drain too, so the orchestrator does not kill a draining process early.
 *
 * @example Route `/livez`
 * ```ts
 * import { liveness } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const live = liveness();
 * assertEquals(live().status, 200);
 * ```
 */
export function liveness(): () => Response {
  return () => healthResponse(true);
}
