// The README's quick start (examples/quick_start.ts) as a real program: it serves, then a
// real SIGTERM drains it and it exits 0 after reporting.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, findRuntime, ROOT } from "./_runtime.ts";

Deno.test("quick start: serves, then drains on a real SIGTERM", async () => {
  const deno = findRuntime("deno")!;
  await using child = Child.start(
    commandFor("deno", deno, `${ROOT}examples/quick_start.ts`).concat("0"),
  );
  const listening = await child.waitFor(/Listening on/, { stream: "stderr" });
  const port = Number(listening.match(/:(\d+)\//)?.[1]);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assertEquals(await response.text(), "hello\n");
  child.kill("SIGTERM");
  const exit = await child.exit();
  assertEquals(exit.code, 0, exit.stderr);
  assertStringIncludes(exit.stdout, "stopping on SIGTERM");
  assertStringIncludes(exit.stdout, "report ok=true, syncs=1");
});
