// examples/server.ts exactly as users run it (`deno run -A`, `bun`, `node`): its routes, its SSE
// stream's clean end at SIGTERM, and exit code 143.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { findRuntime, requireRuntime, ROOT } from "./_runtime.ts";
import { freePort } from "./_free_port.ts";

const SERVER = `${ROOT}examples/server.ts`;

const RUNS: Array<[string, string[] | undefined]> = [
  ["deno run -A", [findRuntime("deno")!, "run", "-A", SERVER]],
  [
    "bun",
    (() => {
      const bun = requireRuntime("bun");
      return bun === undefined ? undefined : [bun, SERVER];
    })(),
  ],
  [
    "node",
    (() => {
      const node = requireRuntime("node");
      return node === undefined ? undefined : [node, SERVER];
    })(),
  ],
];

for (const [label, cmd] of RUNS) {
  Deno.test({
    name:
      `examples/server.ts on ${label}: /, /healthz, /sse ends with event: shutdown at SIGTERM, exit 143`,
    ignore: cmd === undefined,
    fn: async () => {
      const port = freePort();
      await using child = Child.start(cmd!, { env: { PORT: String(port) } });
      await child.waitFor(`listening on http://localhost:${port}/`);
      const base = `http://127.0.0.1:${port}`;
      const started = performance.now();
      const root = await fetch(`${base}/`);
      assertEquals([root.status, await root.text()], [200, "ok\n"]);
      assert(performance.now() - started >= 45, "/ does 50 ms of async work");
      const health = await fetch(`${base}/healthz`);
      assertEquals([health.status, await health.text()], [200, "ok\n"]);
      const missing = await fetch(`${base}/nope`);
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
      const sse = await fetch(`${base}/sse`);
      const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("data: tick 3\n\n")) {
        text += (await reader.read()).value;
      }
      child.kill("SIGTERM");
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
      assertStringIncludes(
        text,
        "data: tick 1\n\ndata: tick 2\n\ndata: tick 3\n\n",
      );
      assert(
        text.endsWith("event: shutdown\ndata: server shutting down\n\n"),
        text,
      );
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assertStringIncludes(exit.stdout, "drained (clean); exit 143");
    },
  });
}
