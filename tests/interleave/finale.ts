// The end of a run: begin shutdown if nothing did, maybe dispose, let 1 ms deadlines
// pass, open every remaining gate, then check that everything settled and hand over to
// the host's own end checks and the failure accounting.
import { checkAccounting } from "./check_accounting.ts";
import { finishGroup } from "./finish_group.ts";
import { finishShutdown } from "./finish_shutdown.ts";
import { flush } from "./flush.ts";
import { cancelToken } from "./ops_cancel.ts";
import { disposeGroup } from "./ops_group.ts";
import type { Scenario } from "./scenario.ts";
import { delay } from "./turns.ts";
import { drawGateOutcome, openGate } from "./work.ts";

/** Lets every piece of work finish, then checks the end state. */
export async function finale(s: Scenario): Promise<void> {
  s.log("-- finale");
  if (s.config.host === "shutdown" && !s.triggered) {
    cancelToken(s, "shutdown");
  }
  if (s.config.host === "group" && !s.disposing && s.rng.chance(0.3)) {
    if (s.joiner === undefined) disposeGroup(s);
  }
  const shortWaits = s.waits.some((w) =>
    w.timeout === 1 && w.result === undefined
  );
  const shortDrain = s.config.host === "shutdown" && s.config.timeout === 1;
  if ((shortWaits || shortDrain) && s.unfinished.length > 0) {
    // Let the 1 ms deadlines pass while work still runs (they were set earlier, so they
    // fire before this timer): the timeout paths are then taken deterministically.
    s.log("sleep 3 (deadlines pass)");
    await delay(3);
    await flush(s);
  }
  for (let round = 0; round < 4; round++) {
    for (const rec of s.recs.filter((r) => r.work === "pending")) {
      const [ok, outcome] = drawGateOutcome(s, rec, "final failure of");
      openGate(s, rec, rec.gate!, ok, outcome);
    }
    await flush(s);
    if (s.unfinished.length === 0 && s.joiner === undefined) break;
  }
  s.check(
    s.unfinished.length === 0,
    "work still running after every gate opened",
  );
  s.check(s.joiner === undefined, "a join never finished");
  for (const rec of s.recs) {
    s.check(
      rec.task.status !== "running",
      `${rec.name}: handle never settled`,
    );
    s.check(
      !rec.task.isRunning,
      `${rec.name}: isRunning after its work settled`,
    );
    s.check(
      rec.task.observedSignal === rec.looked,
      `${rec.name}: observedSignal ${rec.task.observedSignal}, work looked: ${rec.looked}`,
    );
  }
  if (s.group) await finishGroup(s);
  else await finishShutdown(s);
  await flush(s);
  checkAccounting(s);
}
