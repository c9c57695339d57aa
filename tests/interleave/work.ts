// The work each spawned task runs. Every way it can settle goes through `enqueue` first,
// so the model learns of the settle in the same order the core's reactions are queued.
import type { Scenario } from "./scenario.ts";
import type { Reaction, Rec } from "./records.ts";

/** Work settled: the core's `.then` on its promise is queued now, replayed after a flush. */
export function enqueue(
  s: Scenario,
  rec: Rec,
  ok: boolean,
  outcome: unknown,
): void {
  s.check(rec.work === "pending", `${rec.name}: work settled twice`);
  rec.work = ok ? "ok" : "err";
  rec.outcome = outcome;
  s.jobs.push({ rec, ok, outcome });
}

/** Settles gated work: the model hears of it first, then the promise the core awaits. */
export function openGate(
  s: Scenario,
  rec: Rec,
  gate: PromiseWithResolvers<unknown>,
  ok: boolean,
  outcome: unknown,
): void {
  enqueue(s, rec, ok, outcome);
  if (ok) gate.resolve(outcome);
  else gate.reject(outcome);
}

/**
 * How an operation settles gated work: it completes (70%) or fails with an error
 * naming the task, prefixed by `failure` so a message tells which operation did it.
 */
export function drawGateOutcome(
  s: Scenario,
  rec: Rec,
  failure: string,
): [ok: boolean, outcome: unknown] {
  return s.rng.chance(0.7)
    ? [true, { value: rec.name }]
    : [false, new Error(`${failure} ${rec.name}`)];
}

/** The function spawned for `rec`: it does what `rec.kind` says, and counts its calls. */
export function workFor(
  s: Scenario,
  rec: Rec,
): (signal: AbortSignal) => unknown {
  return (signal) => {
    rec.fnCalls++;
    switch (rec.kind) {
      case "syncValue":
        rec.work = "ok";
        rec.outcome = { value: rec.name };
        return rec.outcome;
      case "syncThrow":
        rec.work = "err";
        rec.outcome = new Error(`sync failure of ${rec.name}`);
        throw rec.outcome;
      case "asyncValue":
        rec.work = "ok";
        rec.outcome = { value: rec.name };
        return Promise.resolve(rec.outcome);
      case "asyncFail":
        rec.work = "err";
        rec.outcome = new Error(`async failure of ${rec.name}`);
        return Promise.reject(rec.outcome);
      case "gated":
        break;
    }
    // Gated work stays pending until an operation opens its gate, or its signal aborts.
    rec.work = "pending";
    const gate = rec.gate = Promise.withResolvers<unknown>();
    const reaction = rec.reaction;
    if (reaction !== "ignore") {
      rec.looked = true;
      signal.addEventListener("abort", () => {
        if (!rec.sawAbort) {
          rec.sawAbort = true;
          rec.abortReason = signal.reason;
        }
        if (rec.work !== "pending") return;
        const [ok, outcome] = abortOutcome(rec, reaction, signal.reason);
        openGate(s, rec, gate, ok, outcome);
      }, { once: true });
    }
    return gate.promise;
  };
}

/** What gated work settles with when its signal aborts. */
function abortOutcome(
  rec: Rec,
  reaction: Exclude<Reaction, "ignore">,
  reason: unknown,
): [ok: boolean, outcome: unknown] {
  switch (reaction) {
    case "echo":
      return [false, reason];
    case "resolve":
      return [true, { stopped: rec.name }];
    case "throw":
      return [false, new Error(`late failure of ${rec.name}`)];
    case "domAbort":
      return [false, new DOMException(`${rec.name} stopped`, "AbortError")];
  }
}
