// Real `hono` from npm (examples/package.json, installed here when missing) served by
// `serve()` on Deno and Bun: Hono's own runtime helpers read the handler's second argument,
// which quiesce passes through as the runtime gave it, and `requestScope(c.req.raw)` reaches
// the scope with the client's address.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { Child } from "./_child.ts";
import { ensureNpmPackages } from "./_npm.ts";
import {
  commandFor,
  findRuntime,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";

const APP = `${ROOT}tests/fixtures/http/hono_app.ts`;

const RUNTIMES: Array<[RuntimeName, string | undefined]> = [
  ["deno", findRuntime("deno")],
  ["bun", requireRuntime("bun")],
];

for (const [runtime, binary] of RUNTIMES) {
  Deno.test({
    name:
      `hono on ${runtime} under serve(): getConnInfo, requestScope's remoteAddr, Hono's upgradeWebSocket (1001 at the drain), streamSSE`,
    ignore: binary === undefined,
    fn: async () => {
      await ensureNpmPackages();
      await using child = Child.start(commandFor(runtime, binary!, APP));
      const port = Number(
        (await child.waitFor(/^listening on \d+/)).split(" ").at(-1),
      );
      const conn = await fetch(`http://127.0.0.1:${port}/conn`);
      const text = await conn.text();
      assertEquals(conn.status, 200, text);
      const match =
        /^conn 127\.0\.0\.1:(\d+) scope GET \/conn from 127\.0\.0\.1:(\d+)$/
          .exec(text);
      assert(match, text);
      assertEquals(match[1], match[2]); // the same peer, as both see it
      assert(Number(match[1]) > 0 && Number(match[1]) !== port, text);

      const sse = await fetch(`http://127.0.0.1:${port}/sse`);
      assertEquals(sse.headers.get("content-type"), "text/event-stream");
      assertEquals(
        await sse.text(),
        [1, 2, 3].map((n) => `event: tick\ndata: tick ${n}\n\n`).join(""),
      );

      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const closed = new Promise<CloseEvent>((resolve) =>
        socket.addEventListener("close", resolve)
      );
      await new Promise((resolve, reject) => {
        socket.addEventListener("open", resolve);
        socket.addEventListener("error", reject);
      });
      const echoed = new Promise<string>((resolve) =>
        socket.addEventListener("message", (e) => resolve(String(e.data)), {
          once: true,
        })
      );
      socket.send("hi");
      assertEquals(await echoed, "echo hi");
      child.kill("SIGTERM");
      const event = await closed;
      // Deno's own close of a client sometimes reads 0 / unclean (DESIGN's facts).
      if (runtime === "bun" || event.code !== 0) assertEquals(event.code, 1001);
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assertMatch(exit.stdout, /^report: ok=true/m);
      assertMatch(exit.stdout, /^ws: closed \d+$/m);
    },
  });
}

/** Reads `response`'s body to its end; throws if the body is cut. */
async function readAll(response: Response): Promise<string> {
  let text = "";
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
}

for (const [runtime, binary] of RUNTIMES) {
  Deno.test({
    name:
      `hono on ${runtime}: streamSSE's endless loop and a plain text/event-stream end cleanly at the drain, nothing wired to quiesce; exit 143`,
    ignore: binary === undefined,
    fn: async () => {
      await ensureNpmPackages();
      await using child = Child.start(commandFor(runtime, binary!, APP));
      const port = Number(
        (await child.waitFor(/^listening on \d+/)).split(" ").at(-1),
      );
      const hono = await fetch(`http://127.0.0.1:${port}/sse-forever`);
      const plain = await fetch(
        `http://127.0.0.1:${port}/plain-stream?type=text/event-stream`,
      );
      const texts = Promise.all([readAll(hono), readAll(plain)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGTERM");
      const [sse, stream] = await texts; // rejects if a body is cut
      assertMatch(sse, /^(data: tick \d+\n\n)+$/);
      assertMatch(stream, /^(plain \d+\n)+$/);
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assert(exit.ms < 3_000, `took ${exit.ms} ms`);
      assertMatch(exit.stdout, /^report: ok=true stragglers=$/m);
      assertMatch(exit.stdout, /^sse-forever: aborted$/m); // Hono's onAbort ran
    },
  });
}
