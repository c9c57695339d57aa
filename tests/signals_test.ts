// Real OS signals: a GracefulShutdown on its DEFAULT source (hostSignals) in a
// real Deno, Bun and Node (22, type stripping) process. The first signal drains and runs the
// cleanup; the listeners are then gone, which Bun and Node show with process.listenerCount and
// every runtime shows by dying of the second signal with the default code (130/143). If a
// listener were left behind, the second signal would be swallowed and the exit would time out.
import { assertEquals } from "@std/assert";
import { Child, signalCode } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const FIXTURE = new URL("./fixtures/signals/graceful.ts", import.meta.url)
  .pathname;
const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

for (const runtime of RUNTIMES) {
  // At top level: in CI a missing runtime throws here and fails the suite.
  const binary = requireRuntime(runtime);
  for (const signal of SIGNALS) {
    Deno.test({
      name:
        `GracefulShutdown on ${runtime}: ${signal} drains, the listeners go, a second ${signal} exits ${
          signalCode(signal)
        }`,
      ignore: binary === undefined,
      async fn() {
        await using child = Child.start(commandFor(runtime, binary!, FIXTURE));
        // The signal must reach the runtime itself, with its default action in place.
        assertEquals(await child.waitFor(/^ready /), `ready ${child.pid}`);
        const exit = await child.signalTwice(signal);

        const counts = (n: number) =>
          runtime === "deno" ? "n/a" : `SIGINT=${n} SIGTERM=${n} SIGHUP=0`;
        assertEquals(exit.lines, [
          `listeners before: ${counts(1)}`,
          `ready ${child.pid}`,
          `signal ${signal}`,
          "task stopped",
          "cleanup ran",
          "done ok=true",
          `listeners after: ${counts(0)}`,
          "waiting for another signal",
        ]);
        // Deno.Command reports a death by signal as both the signal and 128 + n.
        assertEquals(exit.signal, signal);
        assertEquals(exit.code, signalCode(signal));
        assertEquals(exit.stderr, "");
      },
    });
  }
}
