// A server for the load rows examples/server.ts has no route for: slow responses (HTTP/2
// streams in flight at the drain), a large byte body (slow readers) and a fast SSE
// producer (a client that stops reading). Runs on Deno and Bun under main():
//
//   PORT, DRAIN_DELAY_MS (default 0), TIMEOUT_MS (default 10000) as examples/server.ts;
//   CERT_FILE and KEY_FILE: serve TLS with the runtime's own server (HTTP/2 where the
//   runtime offers it) through GracefulHttp, the README's "your own Deno.serve /
//   Bun.serve" recipe; without them, serve() with its defaults.
//
// Routes: `/` ok; `/slow` ok after SLOW_MS (1500); `/big` 32 MiB of bytes; `/flood` an
// SSE stream of 64 KiB events from a producer that ignores
// backpressure; `/healthz` readiness.
import { readFileSync } from "node:fs";
import process from "node:process";
import { sleep } from "../../mod.ts";
import { main } from "../../src/main.ts";
import { GracefulHttp, serve, sse } from "../../src/http.ts";

const env = (name: string, fallback: number) =>
  Number(process.env[name] || fallback);
const port = env("PORT", 8000);
const slowMs = env("SLOW_MS", 1_500);
const BIG_BYTES = 32 * 1024 * 1024; // more than loopback's socket buffers hold
const big = new Uint8Array(BIG_BYTES).fill(0x61);
const event = "x".repeat(64 * 1024);
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function handler(request: Request) {
  const path = new URL(request.url).pathname;
  if (path === "/slow") {
    await sleep(slowMs);
    return new Response("slow\n");
  }
  if (path === "/big") return new Response(big);
  if (path === "/flood") {
    return sse(request, async (send, signal) => {
      // A producer that ignores backpressure: whatever send() says, the server must
      // bound what it holds for a client that stopped reading.
      while (!signal.aborted) {
        send(event);
        await macrotask();
      }
    });
  }
  return new Response("ok\n");
}

interface TlsHosts {
  Deno?: {
    serve(
      options: {
        port: number;
        hostname: string;
        cert: string;
        key: string;
        onListen(): void;
      },
      handler: GracefulHttp["fetch"],
    ): { shutdown(): Promise<void> };
  };
  Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      tls: { cert: string; key: string };
      fetch: GracefulHttp["fetch"];
    }): { stop(force?: boolean): Promise<void>; pendingRequests: number };
  };
}

await main(async ({ shutdown }) => {
  const certFile = process.env.CERT_FILE;
  const keyFile = process.env.KEY_FILE;
  if (certFile && keyFile) {
    const [cert, key] = [certFile, keyFile].map((f) => readFileSync(f, "utf8"));
    const http = new GracefulHttp(shutdown, handler, { readiness: "/healthz" });
    const { Deno: deno, Bun: bun } = globalThis as TlsHosts;
    const hostname = "127.0.0.1";
    if (deno) {
      const server = deno.serve(
        { port, hostname, cert: cert!, key: key!, onListen() {} },
        http.fetch,
      );
      http.attach({ stop: () => server.shutdown() });
    } else if (bun) {
      const server = bun.serve({
        port,
        hostname,
        tls: { cert: cert!, key: key! },
        fetch: http.fetch,
      });
      http.attach({
        stop: () => server.stop(),
        close: () => void server.stop(true),
        pending: () => server.pendingRequests,
      });
    }
    console.log(`listening on https://${hostname}:${port}/`);
  } else {
    serve({
      shutdown,
      fetch: handler,
      port,
      hostname: "127.0.0.1",
      readiness: "/healthz",
      onListen: ({ port }) =>
        console.log(`listening on http://127.0.0.1:${port}/`),
    });
  }
  await shutdown.wait();
}, {
  drainDelay: env("DRAIN_DELAY_MS", 0),
  timeout: env("TIMEOUT_MS", 10_000),
});
