// The end of a GracefulShutdown run: the report agrees with the model (the failures after
// shutdown began, in order; stragglers only after a timeout), cleanup steps ran once each
// in reverse order, subscribers heard "manual" once, and disposing again agrees.
import { WaitTimeoutError } from "../../mod.ts";
import { describe } from "./inspect.ts";
import type { Scenario } from "./scenario.ts";

export async function finishShutdown(s: Scenario): Promise<void> {
  const shutdown = s.shutdown!;
  const report = await s.report!;
  s.check(report === s.reportValue, "report callback");
  s.check(
    (await shutdown.done()) === report,
    "done() resolves with the same report",
  );
  s.check((await shutdown.wait()) === "manual", "wait()");
  s.check(report.trigger === "manual", `report.signal ${report.trigger}`);
  s.check(
    report.ok === (!report.timedOut && report.errors.length === 0),
    "report.ok",
  );
  const taskErrors = report.errors.filter((e) => e.source === "task");
  if (report.timedOut) s.coverage.reportTimedOut++;
  if (taskErrors.length > 0) s.coverage.reportErrors++;
  s.coverage.cleanupFailure += s.stepsError.length;
  const after = s.failures.filter((f) => f.afterTrigger);
  if (!report.timedOut) {
    s.check(
      taskErrors.length === after.length &&
        taskErrors.every((e, i) =>
          e.error === after[i]!.error && e.name === after[i]!.rec.name
        ),
      `report has ${taskErrors.length} task errors, model ${after.length}`,
    );
    s.check(
      report.stragglers.length === 0,
      "stragglers without a timeout",
    );
  } else {
    s.check(
      s.config.timeout !== Infinity,
      "timed out without a deadline",
    );
    for (const straggler of report.stragglers) {
      if (straggler.kind === "cleanup") continue;
      const rec = s.recs.find((r) => r.name === straggler.name);
      s.check(rec !== undefined, `unknown straggler ${straggler.name}`);
      s.check(
        straggler.observedSignal === rec.looked,
        `${straggler.name}: straggler observedSignal`,
      );
    }
  }
  // Cleanup steps: each ran once, in reverse order of registration, after the tasks.
  const order = s.steps.map((step) => step.name).reverse();
  s.check(
    s.stepRuns.join() === order.join(),
    `steps ran ${s.stepRuns.join()}, expected ${order.join()}`,
  );
  if (!report.timedOut) {
    const failing = s.steps.filter((step) =>
      step.kind === "throw" || step.kind === "reject"
    ).length;
    s.check(
      s.stepsError.length === failing,
      `${s.stepsError.length} cleanup failures, expected ${failing}`,
    );
  }
  for (const sub of s.subscribers) {
    const expected = sub.disposed ? [] : ["manual"];
    s.check(
      sub.calls.join() === expected.join(),
      `subscriber called ${sub.calls.join()}`,
    );
  }
  // Disposing again reports the same outcome, and never hangs.
  const disposal = await shutdown[Symbol.asyncDispose]().then(
    () => undefined,
    (e) => e,
  );
  s.check(
    (disposal === undefined) === report.ok,
    `asyncDispose ${describe(disposal)} vs ok ${report.ok}`,
  );
  if (report.timedOut) {
    s.check(
      disposal instanceof WaitTimeoutError,
      "asyncDispose after a timeout",
    );
  }
}
