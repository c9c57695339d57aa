import type { ShutdownTrigger, SignalSource } from "../mod.ts";

/** A SignalSource the test fires by hand; records whether its listeners were removed. */
export function handSource(): {
  source: SignalSource;
  fire: (s: ShutdownTrigger) => void;
  removed: () => boolean;
} {
  let listener: ((s: ShutdownTrigger) => void) | undefined;
  let removed = false;
  return {
    source: (onSignal) => {
      listener = onSignal;
      return () => {
        removed = true;
        listener = undefined;
      };
    },
    fire: (s) => listener?.(s),
    removed: () => removed,
  };
}
