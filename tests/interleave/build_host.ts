// Creates the host a run drives, with the options it drew, wiring its onError into the
// model so that every failure the core delivers there can be compared with a prediction.
import {
  type Failure,
  GracefulShutdown,
  TaskGroup,
  TaskTracker,
  type TaskTrackerOptions,
  TokenSource,
} from "../../mod.ts";
import type { Scenario } from "./scenario.ts";

export function buildHost(s: Scenario): void {
  const c = s.config;
  if (c.host === "shutdown") {
    s.shutdown = new GracefulShutdown({
      signals: false,
      onProgress: false,
      timeout: c.timeout,
      onError: (failure: Failure) => {
        if (failure.source === "task") {
          s.onErrorCalls.push({
            error: failure.error,
            name: failure.name,
          });
        } else if (failure.source === "cleanup") {
          s.stepsError.push(failure.error);
        } else {
          s.note(
            false,
            `unexpected ${failure.source} failure ${failure.name}`,
          );
        }
      },
    });
    return;
  }
  const options: TaskTrackerOptions = {};
  if (c.onError) {
    options.onError = ({ error, name }) => s.onErrorCalls.push({ error, name });
  }
  if (c.outer === "parent") {
    s.outerSource = new TokenSource();
    options.parent = s.outerSource.token;
  } else if (c.outer === "signal") {
    s.outerController = new AbortController();
    options.signal = s.outerController.signal;
  }
  s.group = c.joinable
    ? new TaskGroup({ ...options, failure: c.policy })
    : new TaskTracker(options);
}
