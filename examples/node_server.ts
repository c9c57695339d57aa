/**
 * A `node:http` server under `main()` that drains on SIGTERM and SIGINT, on Node 22 or later
 * (Node strips the types as it loads the file; 22.6 to 22.17 need
 * `--experimental-strip-types`):
 *
 *     node examples/node_server.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0; your balancer's
 * health-check interval times its fall count), `TIMEOUT_MS` (default 10000).
 * Routes: `/` answers `ok`; `/slow?ms=N` answers after N ms (a request to be in flight at
 * the signal); `/healthz` is the readiness route (503 from the first signal on).
 *
 * On the first SIGTERM or SIGINT, `/healthz` starts failing; after `DRAIN_DELAY_MS` the server
 * stops accepting connections and closes the idle keep-alive ones, the requests in flight
 * finish (each answered with `Connection: close`), and the process exits 143 or 130. A
 * second signal, or the `TIMEOUT_MS` deadline, ends it at once.
 *
 * @module
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { main } from "../src/main.ts";

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

main(async (context) => {
  let inFlight = 0;
  const reply = (response: ServerResponse, status: number, body: string) => {
    // Once draining, the connection ends with this response instead of waiting for more.
    if (context.draining) response.setHeader("connection", "close");
    response.writeHead(status, { "content-type": "text/plain" }).end(body);
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    console.log(`${request.method} ${url.pathname}${url.search}`);
    if (url.pathname === "/") return reply(response, 200, "ok\n");
    if (url.pathname === "/healthz") {
      return context.draining
        ? reply(response, 503, "draining\n")
        : reply(response, 200, "ok\n");
    }
    if (url.pathname === "/slow") {
      const ms = Number(url.searchParams.get("ms") ?? "1000");
      await new Promise((resolve) => setTimeout(resolve, ms));
      return reply(response, 200, `slept ${ms} ms\n`);
    }
    reply(response, 404, "not found\n");
  };
  const server = createServer((request, response) => {
    inFlight++;
    response.once("close", () => inFlight--);
    handle(request, response).catch((error) => {
      console.error("request failed:", error);
      if (!response.headersSent) reply(response, 500, "internal error\n");
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${bound}/`);

  // `context.signal` aborts once the tasks are told to stop: after DRAIN_DELAY_MS, during
  // which the balancer sees /healthz fail and stops sending new requests.
  if (!context.signal.aborted) {
    await new Promise((resolve) =>
      context.signal.addEventListener("abort", resolve, { once: true })
    );
  }
  console.log(`closing the server; ${inFlight} request(s) in flight`);
  // No new connections; idle keep-alive ones are closed now, busy ones after their
  // response. The callback runs once every connection has ended.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  console.log("http server closed");
}, { drainDelay, timeout });
