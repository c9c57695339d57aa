/**
 * A request handler under a janitor: deep code (`recordAudit`) registers an audit-log
 * write with `spawnCleanupJob`, without the request, a task group or the janitor being
 * passed down to it, and the response is sent only after the write finished. Each janitor
 * is linked to the server's `GracefulShutdown` token, so a shutdown aborts the write's
 * signal while the drain still waits for it. (It is not linked to `request.signal`: under
 * `Deno.serve` that aborts after every normal response and warns once a listener is
 * attached; elsewhere, pass `AbortSignal.any([request.signal, shutdownSignal])`.)
 *
 *     deno run --allow-net=127.0.0.1 examples/janitor_request.ts [port]
 *     curl 'http://127.0.0.1:8000/orders?item=tea'     # then Ctrl+C
 *
 * @module
 */
import { enterJanitor, spawnCleanupJob } from "../src/janitor.ts";
import { GracefulShutdown } from "../mod.ts";
import { serve } from "../src/http.ts";

/** Where audit entries go (a database, a log service). */
export interface AuditLog {
  write(entry: string, signal: AbortSignal): Promise<void>;
}

// Deep code: it only knows there is an ambient janitor to hand the write to.
function recordAudit(log: AuditLog, entry: string): void {
  spawnCleanupJob((signal) => log.write(entry, signal));
}

let nextOrder = 1;

async function placeOrder(log: AuditLog, item: string): Promise<number> {
  const id = nextOrder++;
  await Promise.resolve(); // stands in for the real work
  recordAudit(log, `order ${id}: ${item}`);
  return id;
}

/**
 * The fetch handler: each request runs in its own janitor, so requests never mix jobs;
 * `shutdownSignal` aborts every request's jobs.
 */
export function createHandler(
  log: AuditLog,
  shutdownSignal: AbortSignal,
): (request: Request) => Promise<Response> {
  return (request) =>
    enterJanitor(async () => {
      const item = new URL(request.url).searchParams.get("item") ?? "nothing";
      const id = await placeOrder(log, item);
      return new Response(`order ${id} placed\n`);
    }, { signal: shutdownSignal });
}

if (import.meta.main) {
  const consoleLog: AuditLog = {
    async write(entry, signal) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // a slow store
      signal.throwIfAborted();
      console.log(`audit: ${entry}`);
    },
  };
  const shutdown = new GracefulShutdown({ timeout: 5_000 });
  serve({
    shutdown,
    hostname: "127.0.0.1",
    port: Number(Deno.args[0] ?? 8000),
    fetch: createHandler(consoleLog, shutdown.token.signal),
  });
  console.log("stopping on", await shutdown.wait());
  await shutdown.done();
}
