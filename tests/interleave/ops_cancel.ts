// Cancelling the host's root token, by any of its four triggers: the group's cancel(),
// its parent token, its AbortSignal, or GracefulShutdown.shutdown(). All of them cancel
// every running handle with the token's reason, and make later spawns start cancelled.
import { describe, isAbortError } from "./inspect.ts";
import { cancelRunning } from "./model.ts";
import { drawReason } from "./ops_task.ts";
import type { Scenario } from "./scenario.ts";

export type CancelTrigger = "cancel" | "parent" | "signal" | "shutdown";

/** The group's token is cancelled (by cancel(), its parent, its signal, or shutdown). */
export function cancelToken(s: Scenario, how: CancelTrigger): void {
  if (s.cancelledGroup !== undefined && how !== "shutdown") return;
  // A finished dispose has disposed the group's token already.
  if (s.disposing?.expected !== undefined) return;
  const reason = drawReason(s);
  s.log(`${how} (${describe(reason)})`);
  let actual: unknown;
  if (how === "cancel") {
    s.group!.cancel(reason);
    actual = s.group!.token.reason;
  } else if (how === "parent") {
    s.outerSource!.cancel(reason);
    actual = s.group!.token.reason;
  } else if (how === "signal") {
    s.outerController!.abort(reason);
    actual = s.outerController!.signal.reason;
    s.check(
      s.group!.token.reason === actual,
      "group reason != signal reason",
    );
  } else {
    const first = s.report === undefined;
    const report = s.shutdown!.shutdown(reason);
    if (!first) {
      s.check(
        report === s.report,
        "a second shutdown() returned another promise",
      );
      return;
    }
    s.report = report;
    s.triggered = true;
    report.then((value) => {
      s.reportValue = value;
    });
    actual = s.shutdown!.token.reason;
    s.check(
      s.shutdown!.draining && s.shutdown!.draining,
      "not draining",
    );
  }
  if (reason !== undefined) {
    s.check(
      actual === reason,
      `token reason ${describe(actual)} != ${describe(reason)}`,
    );
  } else {
    s.check(isAbortError(actual), `default reason ${describe(actual)}`);
  }
  s.cancelledGroup = { exact: actual };
  cancelRunning(s, s.cancelledGroup);
}
