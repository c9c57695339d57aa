/**
 * A server on Node's `node:http` through `serve()`, under `main()`, that drains on SIGTERM
 * and SIGINT, on Node 22 or later (Node strips the types as it loads the file; 22.6 to
 * 22.17 need `--experimental-strip-types`):
 *
 *     node examples/node_server.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0; your balancer's
 * health-check interval times its fall count), `TIMEOUT_MS` (default 10000).
 * Routes: `/` answers `ok`; `/slow?ms=N` answers after N ms (a request to be in flight at
 * the signal); `/healthz` is the readiness route (503 from the first signal on).
 *
 * On the first SIGTERM or SIGINT, `/healthz` starts failing and every response says
 * `Connection: close`; after `DRAIN_DELAY_MS` the server stops accepting connections and
 * closes the idle keep-alive ones, the requests in flight finish, and the process exits
 * 143 or 130. A second signal, or the `TIMEOUT_MS` deadline, ends it at once (the report
 * names the requests still running).
 *
 * @module
 */
import process from "node:process";
import { sleep } from "../mod.ts";
import { main } from "../src/main.ts";
import { serve } from "../src/http.ts";

function number(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${name}: expected a non-negative integer, got ${text}`,
    );
  }
  return value;
}

const port = number("PORT", 8000);
const drainDelay = number("DRAIN_DELAY_MS", 0);
const timeout = number("TIMEOUT_MS", 10_000);

async function handler(request: Request): Promise<Response> {
  const url = new URL(request.url);
  console.log(`${request.method} ${url.pathname}${url.search}`);
  if (url.pathname === "/") return new Response("ok\n");
  if (url.pathname === "/slow") {
    const ms = Number(url.searchParams.get("ms") ?? "1000");
    await sleep(ms);
    return new Response(`slept ${ms} ms\n`);
  }
  return new Response("not found\n", { status: 404 });
}

await main(async ({ shutdown }) => {
  const server = serve({
    shutdown,
    fetch: handler,
    hostname: "127.0.0.1",
    port,
    readiness: "/healthz",
    onListen: ({ port }) =>
      console.log(`listening on http://127.0.0.1:${port}/`),
  });
  const signal = await shutdown.wait();
  console.log(
    `received ${signal}: ${server.http.inFlight().length} request(s) in flight`,
  );
}, {
  drainDelay,
  timeout,
  exitCode: (outcome) => {
    console.log(
      `http server closed (${
        outcome.report?.ok ? "clean" : "not clean"
      }); exit ${outcome.code}`,
    );
    return outcome.code;
  },
});
