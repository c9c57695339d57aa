// The wrapper's own cost per request, without the network: a hello-world handler called
// bare vs through `GracefulHttp.fetch` in a loop (run by bench/http_bench.ts on each runtime;
// prints one JSON line).
import { GracefulShutdown } from "../mod.ts";
import { GracefulHttp } from "../src/http.ts";

const shutdown = new GracefulShutdown({ signals: false });
const hello = () => new Response("hello world\n");
const http = new GracefulHttp(shutdown, hello);
const request = new Request("http://127.0.0.1:8000/");
const N = 300_000;
const bare: number[] = [], wrapped: number[] = [];
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) hello();
  bare.push((performance.now() - t) / N * 1000);
  t = performance.now();
  for (let i = 0; i < N; i++) http.fetch(request);
  wrapped.push((performance.now() - t) / N * 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
console.log(
  JSON.stringify({ bareUs: median(bare), wrappedUs: median(wrapped) }),
);
await shutdown.shutdown();
