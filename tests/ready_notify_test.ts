// The ready moment under systemd, in real processes on Deno, Bun and Node with a real
// NOTIFY_SOCKET receiver (tests/fixtures/systemd/receiver.py): READY=1 is sent exactly once
// whichever ready() the program calls (the context's or `shutdown.ready()`, which are one
// moment), before STOPPING=1, and never when the stop signal came first.
import { assert, assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { commandFor, type RuntimeName } from "./_runtime.ts";
import { NotifyReceiver } from "./_notify_receiver.ts";

const APP = new URL("./fixtures/systemd/ready_app.ts", import.meta.url)
  .pathname;
let serial = 0;

async function run(
  runtime: RuntimeName,
  mode: "context" | "shutdown" | "late",
): Promise<{ lines: string[]; stdout: string[] }> {
  await using receiver = await NotifyReceiver.start(
    `@quiesce-ready-${Deno.pid}-${serial++}`,
  );
  await using child = Child.start(
    [...commandFor(runtime, BINARIES[runtime]!, APP), mode],
    { env: { NOTIFY_SOCKET: receiver.path } },
  );
  if (mode === "late") {
    await child.waitFor("waiting");
  } else {
    await child.waitFor(/^ready: /);
    await receiver.waitFor(/^READY=1$/);
  }
  child.kill("SIGTERM");
  const exit = await child.exit();
  assertEquals(exit.code, 143, exit.stderr);
  // The helper transport (Node) may still be sending when the process exits.
  await receiver.waitFor(/^STATUS=exiting with code 143$/);
  // systemd-notify --pid says MAINPID= first; BARRIER=1 is its own.
  const lines = receiver.lines().filter((line) =>
    !line.startsWith("MAINPID=") && line !== "BARRIER=1"
  );
  return { lines, stdout: exit.lines };
}

for (const runtime of RUNTIMES) {
  for (const mode of ["context", "shutdown"] as const) {
    Deno.test({
      name: `ready moment on ${runtime}: ${
        mode === "context" ? "the context's ready()" : "shutdown.ready()"
      } sends READY=1 once, before STOPPING=1`,
      ignore: BINARIES[runtime] === undefined,
      async fn() {
        const { lines, stdout } = await run(runtime, mode);
        assertEquals(stdout[0], "ready: true true");
        assertEquals(
          lines.filter((l) => l === "READY=1").length,
          1,
          `${lines}`,
        );
        const ready = lines.indexOf("READY=1");
        const stopping = lines.indexOf("STOPPING=1");
        assert(ready >= 0 && ready < stopping, JSON.stringify(lines));
      },
    });
  }

  Deno.test({
    name:
      `ready moment on ${runtime}: a stop before ready() sends no READY=1, ready() is false`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      const { lines, stdout } = await run(runtime, "late");
      assertEquals(stdout, ["waiting", "late: false false"]);
      assertEquals(lines.filter((l) => l === "READY=1"), []);
      assert(lines.includes("STOPPING=1"), JSON.stringify(lines));
    },
  });
}
