// What `GracefulHttp.fetch` adds per request to a hello-world handler, without the network:
// `serve()` hands the runtime exactly this function, so it is also serve()'s per-request
// path. A sync and an async handler (and the sync one with a counting listener attached), each called bare and wrapped in batches of N whose
// results are all awaited (the microtasks a wrapped request queues are inside the timing),
// in alternating order, ROUNDS times; the figure is the median of the per-round differences
// in ns per request, with their spread. Goal (issue 20): <= 100 ns.
//   deno run -A bench/http_overhead.ts [rounds=15]   |   bun bench/http_overhead.ts
// Prints one JSON line (read by bench/http_bench.ts) and, on stderr, a table.
import { GracefulShutdown } from "../mod.ts";
import { GracefulHttp } from "../src/http.ts";
import { ARGS, RUNTIME } from "./_util.ts";

const ROUNDS = Number(ARGS[0] ?? 15);
const N = 100_000;
const BATCH = 1_000;
const GOAL_NS = 100;

const handlers = {
  sync: () => new Response("hello world\n"),
  // The sync handler with a listener attached that counts its requests, as serve() and
  // Bun's default export attach Bun's server (`pending`: the server keeps its last
  // requests, to name responses begun before the first signal that the drain loses).
  "sync, counting listener": () => new Response("hello world\n"),
  async: async () => {
    await null;
    return new Response("hello world\n");
  },
};

const request = new Request("http://127.0.0.1:8000/");
const shutdown = new GracefulShutdown({ signals: false, onProgress: false });

/**
 * ns per request over N requests, in batches of BATCH whose results are awaited together
 * (small batches keep what a batch holds young, so the collector's share stays small).
 */
async function batch(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<number> {
  const results = new Array<Response | Promise<Response>>(BATCH);
  const started = performance.now();
  for (let done = 0; done < N; done += BATCH) {
    for (let i = 0; i < BATCH; i++) results[i] = fetch(request);
    await Promise.all(results);
  }
  return (performance.now() - started) / N * 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const out: Record<string, { bareNs: number; addedNs: number[] }> = {};
for (const [kind, handler] of Object.entries(handlers)) {
  const http = new GracefulHttp(shutdown, handler);
  if (kind.includes("listener")) http.attach({ stop() {}, pending: () => 0 });
  await batch(handler); // warm-up
  await batch(http.fetch);
  const bare: number[] = [], added: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    const ns = new Map<boolean, number>();
    for (const wrapped of order) {
      ns.set(wrapped, await batch(wrapped ? http.fetch : handler));
    }
    bare.push(ns.get(false)!);
    added.push(ns.get(true)! - ns.get(false)!);
  }
  out[kind] = { bareNs: median(bare), addedNs: added };
}
await shutdown.shutdown();

const rows = Object.entries(out).map(([kind, { bareNs, addedNs }]) => {
  const m = median(addedNs);
  return `${RUNTIME}  GracefulHttp.fetch, ${kind} handler: handler ${
    bareNs.toFixed(0)
  } ns, +${m.toFixed(0)} ns per request (spread ${
    Math.min(...addedNs).toFixed(0)
  } to ${
    Math.max(...addedNs).toFixed(0)
  }, ${ROUNDS} rounds of ${N})  goal <= ${GOAL_NS} ns  ${
    m <= GOAL_NS ? "met" : "NOT MET"
  }`;
});
console.error(rows.join("\n"));
console.log(JSON.stringify(
  Object.fromEntries(
    Object.entries(out).map((
      [kind, { bareNs, addedNs }],
    ) => [kind, {
      bareNs,
      addedNs: median(addedNs),
      minNs: Math.min(...addedNs),
      maxNs: Math.max(...addedNs),
    }]),
  ),
));
