// examples/logging.ts on Deno (`deno run -A`), Bun and Node: after SIGTERM, the log file
// on disk ends with the drain's own lines, which the flush phase wrote out of pino's
// buffer after every other cleanup step.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { ensureNpmPackages } from "./_npm.ts";
import { ROOT, type RuntimeName } from "./_runtime.ts";

const EXAMPLE = `${ROOT}examples/logging.ts`;

function command(runtime: RuntimeName): string[] {
  const binary = BINARIES[runtime]!;
  return runtime === "deno"
    ? [binary, "run", "-A", EXAMPLE]
    : [binary, EXAMPLE];
}

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `examples/logging.ts on ${runtime}: the drain's last lines are on disk`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await ensureNpmPackages();
      const file = await Deno.makeTempFile({ suffix: ".log" });
      try {
        await using child = Child.start(command(runtime), {
          env: { LOG_FILE: file },
        });
        await child.waitFor("running", { timeout: 30_000 });
        await new Promise((r) => setTimeout(r, 200)); // some jobs
        child.kill("SIGTERM");
        const exit = await child.exit();
        assertEquals(exit.code, 143, exit.stderr);
        const lines = (await Deno.readTextFile(file)).trim().split("\n").map(
          (line) => JSON.parse(line).msg as string,
        );
        assertEquals(lines[0], "running");
        assertEquals(lines.slice(-3), [
          "drain: started",
          "drain: worker stopped",
          "drain: database closed",
        ]);
      } finally {
        await Deno.remove(file);
      }
    },
  });
}
