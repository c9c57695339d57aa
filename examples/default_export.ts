/**
 * `deno serve` and Bun's `export default { fetch }`: the runtime owns the listener, the
 * module exports the handler, and `main()` owns the signals, the drain, cleanup and the exit.
 *
 *     deno serve -A --port 8000 examples/default_export.ts
 *     PORT=8000 bun examples/default_export.ts
 *
 * Routes: `/` answers `hello`, `/slow` after 300 ms; `/healthz` is the readiness route. On
 * SIGTERM requests in flight are answered, cleanup runs, and the process exits 143.
 *
 * @module
 */
import { sleep } from "../mod.ts";
import { main } from "../src/main.ts";
import { GracefulHttp } from "../src/http.ts";

// Stands in for `new Hono()`: `app.fetch` has the same shape.
const app = {
  fetch: async (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname === "/slow") await sleep(300);
    return new Response("hello\n");
  },
};

let http: GracefulHttp | undefined;
main(({ shutdown }) => {
  http = new GracefulHttp(shutdown, app.fetch, { readiness: "/healthz" });
  shutdown.defer(() => console.log("cleanup ran"), "cleanup");
  console.log("ready");
  return shutdown.wait();
});

export default {
  fetch: (request: Request, info: unknown) => http!.fetch(request, info),
};
