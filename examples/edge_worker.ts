/**
 * One fetch handler that leaves background work behind, on an edge runtime and self-hosted.
 * It answers at once; through quiesce's {@linkcode BackgroundWork} it then waits `delay` ms
 * (query parameter, default 200) and POSTs the `id` query parameter to the URL in the
 * `collector` query parameter.
 *
 *     deno task build:edge   # bundles this file to examples/edge_worker.js for workerd
 *     npx workerd serve examples/edge_worker.capnp -s http=127.0.0.1:8787
 *     deno serve -A --host 127.0.0.1 --port 8787 examples/edge_worker.ts
 *     PORT=8787 bun examples/edge_worker.ts
 *
 * On workerd each job is handed to `ctx.waitUntil`; under `deno serve` and Bun the jobs are
 * tasks of a shutdown that, at SIGTERM or SIGINT, waits for them and ends the process
 * (143/130). A job still running at the limit (29 s) is named in a log line.
 *
 * @module
 */
import { sleep } from "../mod.ts";
import { BackgroundWork } from "../src/edge.ts";

const background = new BackgroundWork();

/** Reports `id` to `collector` after `delay` ms. */
async function report(
  collector: string,
  id: string,
  delay: number,
  signal: AbortSignal,
): Promise<void> {
  await sleep(delay, { signal });
  const response = await fetch(collector, { method: "POST", body: id, signal });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`collector answered ${response.status}`);
}

export default {
  fetch(request: Request, _env?: unknown, ctx?: unknown): Response {
    const url = new URL(request.url);
    const id = url.searchParams.get("id");
    const collector = url.searchParams.get("collector");
    const delay = Number(url.searchParams.get("delay") ?? 200);
    if (id === null || collector === null || !(delay >= 0)) {
      return new Response("usage: /?id=ID&collector=URL[&delay=MS]\n", {
        status: 400,
      });
    }
    // ctx is workerd's ExecutionContext; deno serve passes ServeHandlerInfo and Bun its
    // server, neither with waitUntil, so there the job is drained at SIGTERM instead.
    background.run(
      ctx,
      `report ${id}`,
      (signal) => report(collector, id, delay, signal),
    );
    return new Response(`accepted ${id}\n`);
  },
};
