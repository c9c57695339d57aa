// The README's signal table is the one table of src/_signal_table.ts, row for row, and the
// behaviour it claims is what the code derives from that table.
import { assertEquals } from "@std/assert";
import { ROOT } from "./_runtime.ts";
import {
  DEFAULT_SIGNALS,
  OS_SIGNALS,
  SECOND_SIGNAL,
  signalExitCode,
  SIGNALS,
} from "../src/_signal_table.ts";
import { manualSignals, runMain } from "../src/testing.ts";

const README = Deno.readTextFileSync(`${ROOT}README.md`);

/** The cells of the README table after the "signal table" marker. */
function readmeRows(): string[][] {
  const from = README.indexOf("<!-- signal table: generated");
  const lines = README.slice(from).split("\n").slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith("|")));
  const rows = table.slice(0, table.findIndex((l) => !l.startsWith("|")));
  return rows.slice(2).map((row) =>
    row.slice(1, -1).split(" | ").map((cell) => cell.trim())
  );
}

Deno.test("README: the signal table is src/_signal_table.ts's table", () => {
  const expected = SIGNALS.map((row) => [
    row.name,
    String(row.number),
    row.listened === "default" ? "yes" : "opt-in",
    row.sentBy,
    String(128 + row.number),
    `${SECOND_SIGNAL} (${128 + row.number})`,
  ]);
  assertEquals(readmeRows(), expected);
});

Deno.test("the table's derived facts: names, defaults, exit codes", () => {
  assertEquals(OS_SIGNALS, [
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR2",
    "SIGBREAK",
  ]);
  assertEquals(DEFAULT_SIGNALS, ["SIGINT", "SIGTERM"]);
  assertEquals(signalExitCode("manual"), undefined);
  assertEquals(signalExitCode("SIGUSR2"), 140);
});

Deno.test("every row behaves as the README says under main(): 128 + n clean, 128 + n forced", async () => {
  for (const row of SIGNALS) {
    for (const forced of [false, true]) {
      const signals = manualSignals();
      const slow = Promise.withResolvers<void>();
      const run = runMain(({ shutdown, spawn }) => {
        if (forced) spawn("slow", () => slow.promise);
        return shutdown.wait();
      }, { signals: signals.source, onProgress: false });
      signals.send(row.name);
      if (forced) {
        // Past the repeat window: a second signal, not a runner's copy.
        await new Promise((resolve) => setTimeout(resolve, 400));
        signals.send(row.name);
        setTimeout(() => slow.resolve(), 20);
      }
      const { code, outcome } = await run;
      assertEquals(code, 128 + row.number, `${row.name} forced=${forced}`);
      assertEquals(outcome.forcedBy, forced ? row.name : undefined);
    }
  }
});
