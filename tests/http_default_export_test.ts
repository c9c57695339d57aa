// The `export default { fetch }` recipe (tests/fixtures/http/deno_serve.ts): a GracefulHttp
// object served by the runtime itself, `deno serve` and Bun's default export. A request in
// flight at SIGTERM is answered, and the process exits 143 after the drain.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { findRuntime, requireRuntime, ROOT } from "./_runtime.ts";

const FIXTURE = `${ROOT}tests/fixtures/http/deno_serve.ts`;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const bun = requireRuntime("bun");
const RUNS: Array<
  [string, ((port: number) => [string[], Record<string, string>]) | undefined]
> = [
  [
    "deno serve",
    (
      port,
    ) => [[
      findRuntime("deno")!,
      "serve",
      "-A",
      "--port",
      String(port),
      FIXTURE,
    ], {}],
  ],
  [
    "bun (default export)",
    bun === undefined
      ? undefined
      : (port) => [[bun, FIXTURE], { PORT: String(port) }],
  ],
];

for (const [label, command] of RUNS) {
  Deno.test({
    name:
      `export default GracefulHttp under ${label}: in-flight request answered at SIGTERM, exit 143`,
    ignore: command === undefined,
    fn: async () => {
      const port = freePort();
      const [cmd, env] = command!(port);
      await using child = Child.start(cmd, { env });
      await child.waitFor("ready");
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          async (r) => (await r.body?.cancel(), r.ok),
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 50));
      }
      const slow = fetch(`http://127.0.0.1:${port}/slow`);
      await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGTERM");
      const response = await slow;
      assertEquals([response.status, await response.text()], [200, "hello\n"]);
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assertStringIncludes(exit.stdout, "drained: ok=true");
    },
  });
}
