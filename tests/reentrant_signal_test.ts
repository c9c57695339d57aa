// Re-entrant shutdown under a real OS signal, on Deno, Bun and Node 22: onSignal and a
// subscriber call shutdown() from inside the signal handler; every step runs once.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const FIXTURE =
  new URL("./fixtures/reentrant/on_signal.ts", import.meta.url).pathname;

for (const runtime of ["deno", "bun", "node"] as RuntimeName[]) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `${runtime}: shutdown() from onSignal inside a real SIGTERM handler runs every step once`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(commandFor(runtime, binary!, FIXTURE));
      await child.waitFor(/^ready /);
      child.kill("SIGTERM");
      const exit = await child.exit();
      assertEquals(
        exit.lines.at(-1),
        "SIGTERM onSignal=1 cleanups=1 ok=true",
        exit.stderr,
      );
      assertEquals(exit.code, 0, exit.stderr);
    },
  });
}
