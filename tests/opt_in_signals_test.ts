// SIGUSR2 and SIGQUIT, listed in `hostSignals({ signals })`, begin a graceful shutdown on
// Deno, Bun and Node 22 (real signals to real processes).
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const FIXTURE =
  new URL("./fixtures/signals/opt_in.ts", import.meta.url).pathname;

for (const runtime of ["deno", "bun", "node"] as RuntimeName[]) {
  const binary = requireRuntime(runtime);
  for (const signal of ["SIGUSR2", "SIGQUIT"] as const) {
    Deno.test({
      name:
        `${runtime}: ${signal}, when listed, drains and the program exits 0`,
      ignore: binary === undefined,
      async fn() {
        await using child = Child.start(commandFor(runtime, binary!, FIXTURE));
        await child.waitFor(/^ready /);
        child.kill(signal);
        const exit = await child.exit();
        assertEquals(exit.lines.slice(-3), [
          `stopped by ${signal}`,
          "cleanup ran",
          "drained ok=true",
        ]);
        assertEquals(exit.code, 0, exit.stderr);
      },
    });
  }
}
