// examples/npm/hono_app.ts as the README prints it, on real Deno and Bun with real `hono`
// from npm: Hono's getConnInfo and requestScope agree on the client's address, Hono's own
// upgradeWebSocket echoes, and at SIGTERM its streamSSE loop ends cleanly (the stream
// closes, nothing wired to quiesce) and the program exits 143.
import { assertEquals, assertMatch } from "@std/assert";
import { Child } from "./_child.ts";
import { ensureNpmPackages } from "./_npm.ts";
import {
  commandFor,
  findRuntime,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";

const EXAMPLE = `${ROOT}examples/npm/hono_app.ts`;
const RUNTIMES: Array<[RuntimeName, string | undefined]> = [
  ["deno", findRuntime("deno")],
  ["bun", requireRuntime("bun")],
];

for (const [runtime, binary] of RUNTIMES) {
  Deno.test({
    name:
      `examples/npm/hono_app.ts on ${runtime}: getConnInfo and requestScope, Hono's WebSocket, streamSSE ends at SIGTERM, exit 143`,
    ignore: binary === undefined,
    fn: async () => {
      await ensureNpmPackages();
      await using child = Child.start(commandFor(runtime, binary!, EXAMPLE), {
        env: { PORT: "0", TIMEOUT_MS: "5000" },
      });
      const line = await child.waitFor(
        /^listening on http:\/\/127\.0\.0\.1:\d+\//,
      );
      const base = line.slice("listening on ".length).replace(/\/$/, "");

      const conn = await (await fetch(`${base}/conn`)).text();
      const [, honoSays, scopeSays] =
        /^hono (127\.0\.0\.1:\d+), scope (127\.0\.0\.1:\d+)\n$/.exec(conn) ??
          [];
      assertEquals(
        honoSays !== undefined && honoSays === scopeSays,
        true,
        conn,
      );

      const ws = new WebSocket(`${base.replace("http", "ws")}/ws`);
      const echoed = new Promise<string>((resolve, reject) => {
        ws.onmessage = (event) => resolve(String(event.data));
        ws.onerror = () => reject(new Error("WebSocket error"));
      });
      await new Promise((resolve) => ws.onopen = resolve);
      ws.send("hi");
      assertEquals(await echoed, "echo hi");
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close();
      await closed;

      const sse = await fetch(`${base}/sse`);
      const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = (await reader.read()).value ?? "";
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read(); // ends: the stream was closed
        if (done) break;
        text += value;
      }
      assertMatch(text, /^data: tick 1\n\n/);
      const exit = await child.exit(15_000);
      assertEquals(exit.code, 143, `${exit.stdout}\n${exit.stderr}`);
      assertEquals(exit.lines.includes("received SIGTERM: draining"), true);
    },
  });
}
