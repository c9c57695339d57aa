// The way a handler reaches its request's scope: the handler's second argument stays what
// the runtime passed (Deno's `ServeHandlerInfo`, Bun's `Server`), which frameworks read
// (Hono's `c.env`, `getConnInfo`, `upgradeWebSocket`), so the scope is found by the
// `Request` object itself. A WeakMap entry lives exactly as long as the request.
import type { RequestScope } from "./scope.ts";

const scopes = new WeakMap<Request, RequestScope>();

/** Makes `scope` the one {@linkcode requestScope} finds for `request`. */
export function registerScope(request: Request, scope: RequestScope): void {
  scopes.set(request, scope);
}

/**
 * The {@linkcode RequestScope} of a request a {@linkcode GracefulHttp} (or
 * {@linkcode serve}) is serving: pass the `Request` object the handler got (Hono:
 * `c.req.raw`). The handler's second argument is left as the runtime passed it.
 *
 * @example Reach the scope from a plain handler
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { requestScope, serve } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const server = serve({
 *   shutdown,
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   fetch: (request) => {
 *     const scope = requestScope(request);
 *     return new Response(`${scope.name} from ${scope.remoteAddr?.hostname}`);
 *   },
 * });
 * const response = await fetch(`http://127.0.0.1:${server.port}/orders/42`);
 * assertEquals(await response.text(), "GET /orders/42 from 127.0.0.1");
 * await shutdown.shutdown();
 * ```
 *
 * @throws {TypeError} If `request` is not one a `GracefulHttp` is serving (a copy made
 * with `new Request(request)` or `request.clone()` is another object).
 */
export function requestScope(request: Request): RequestScope {
  const scope = scopes.get(request);
  if (scope === undefined) {
    throw new TypeError(
      "Cannot find the scope of request: expected the Request object a GracefulHttp handler got (Hono: c.req.raw), not a copy",
    );
  }
  return scope;
}
