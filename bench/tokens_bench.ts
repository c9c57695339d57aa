// `deno bench bench/tokens_bench.ts`: the token tree's hot paths, for quick A/B checks
// while changing src/token.ts (bench/core.ts is the cross-runtime report against baselines).
import { TokenSource } from "../mod.ts";

const root = new TokenSource();
const shared = new DOMException("shared", "AbortError");

Deno.bench(
  "child + [Symbol.dispose]",
  { group: "cycle", baseline: true },
  () => {
    root.child()[Symbol.dispose]();
  },
);

Deno.bench("child + cancel(shared reason)", { group: "cycle" }, () => {
  root.child().cancel(shared);
});

Deno.bench("child + .signal + [Symbol.dispose]", { group: "cycle" }, () => {
  const child = root.child();
  void child.signal;
  child[Symbol.dispose]();
});

const cancelled = new TokenSource();
cancelled.cancel(shared);
Deno.bench("[Symbol.dispose] of a cancelled source", { group: "noop" }, () => {
  cancelled[Symbol.dispose]();
});

Deno.bench("new DOMException (what dispose pays)", { group: "noop" }, () => {
  new DOMException("The token source was disposed.", "AbortError");
});
