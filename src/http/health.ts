import type { GracefulShutdown } from "../shutdown.ts";
import { describe } from "../_validate.ts";

/** A health answer: 200 `ok` or 503 `draining`, never cached. */
export function healthResponse(ok: boolean): Response {
  return new Response(ok ? "ok\n" : "draining\n", {
    status: ok ? 200 : 503,
    headers: { "content-type": "text/plain", "cache-control": "no-store" },
  });
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
 * A readiness handler (Kubernetes `readinessProbe`, a balancer's health check): 200 `ok`,
 * then 503 `draining` from the first shutdown signal on, so traffic moves away during
 * `drainDelay` while the listener still serves.
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
 * @throws {TypeError} If `shutdown` is not a `GracefulShutdown`.
 */
export function readiness(shutdown: GracefulShutdown): () => Response {
  checkShutdown(shutdown);
  return () => healthResponse(!shutdown.draining);
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
