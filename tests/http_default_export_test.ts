// The `export default { fetch }` recipe exactly as the README prints it
// (examples/default_export.ts): the runtime owns the listener, main() the drain. Under
// `deno serve`, `deno serve --parallel` (two workers in one process: one worker's exit must
// not end the other's requests) and Bun's default export, 8 requests in flight at SIGTERM
// are all answered (the last response is flushed before the exit), cleanup runs, exit 143.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { findRuntime, requireRuntime, ROOT } from "./_runtime.ts";
import { freePort } from "./_free_port.ts";

const EXAMPLE = `${ROOT}examples/default_export.ts`;

const deno = findRuntime("deno")!;
const bun = requireRuntime("bun");
const serve = (port: number, ...flags: string[]) => [
  deno,
  "serve",
  "-A",
  ...flags,
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  EXAMPLE,
];
const RUNS: Array<[string, ((port: number) => string[]) | undefined]> = [
  ["deno serve", (port) => serve(port)],
  ["deno serve --parallel (2 workers)", (port) => serve(port, "--parallel")],
  [
    "bun (default export)",
    bun === undefined ? undefined : () => [bun, EXAMPLE],
  ],
];

for (const [label, command] of RUNS) {
  Deno.test({
    name:
      `export default recipe under ${label}: 8 requests in flight at SIGTERM answered, cleanup ran, exit 143`,
    ignore: command === undefined,
    fn: async () => {
      const port = freePort();
      await using child = Child.start(command!(port), {
        env: { PORT: String(port), DENO_JOBS: "2" },
      });
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          async (r) => (await r.body?.cancel(), r.ok),
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 50));
      }
      const slow = Array.from(
        { length: 8 },
        () =>
          fetch(`http://127.0.0.1:${port}/slow`).then(
            async (r) => `${r.status} ${await r.text()}`,
            (error) => `failed: ${error}`,
          ),
      );
      await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGTERM");
      if (label.startsWith("bun")) {
        // Bun hands its server to the handler: the escalation stops it after `linger`,
        // so during those 500 ms the readiness route still answers, with 503.
        await child.waitFor("SIGTERM received", { stream: "stderr" });
        const ready = await fetch(`http://127.0.0.1:${port}/healthz`);
        assertEquals([ready.status, await ready.text()], [503, "draining\n"]);
      }
      assertEquals(await Promise.all(slow), Array(8).fill("200 hello\n"));
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assertStringIncludes(exit.stdout, "cleanup ran");
    },
  });
}
