// Token tree benchmarks, on Deno and Bun:
//   deno run -A --v8-flags=--expose-gc bench/tokens.ts
//   bun bench/tokens.ts
// (a) 1M child create/dispose cycles under one long-lived root: time, heap growth after a
//     forced GC, and the root's child count at the end (must be 0).
// (b) 100k live children: create / cancel root / dispose, for quiesce and three baselines
//     measured in the same process.
import { TokenSource } from "../mod.ts";
import {
  ARGS,
  progress,
  report,
  type Section,
  settledHeap,
  timeSync,
} from "./_util.ts";

const CYCLES = Number(ARGS.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const LIVE = 100_000;
const QUADRATIC_LIVE = 10_000;

// ---- (a) churn under one root -------------------------------------------------------------

async function churn(touchSignal: boolean): Promise<Array<number | string>> {
  const root = new TokenSource();
  const cycle = () => {
    const child = root.child();
    if (touchSignal) void child.signal;
    child[Symbol.dispose]();
  };
  for (let i = 0; i < 20_000; i++) cycle(); // warm-up, also settles the JIT
  const before = await settledHeap();
  const ms = timeSync(() => {
    for (let i = 0; i < CYCLES; i++) cycle();
  });
  const after = await settledHeap();
  const count = root.childCount;
  if (count !== 0) throw new Error(`root.childCount is ${count} after churn`);
  return [ms, (ms * 1e6) / CYCLES, (after - before) / 1024, count];
}

// ---- (b) many live children -----------------------------------------------------------------

/** One tree under test: children are created, the root cancelled, children disposed. */
interface Tree {
  create(i: number): void;
  cancelRoot(): void;
  dispose(i: number): void;
  /** Confirms every child saw the cancellation (so nothing was optimised away). */
  check(n: number): void;
}

interface Impl {
  name: string;
  n: number;
  make(n: number): Tree;
}

function quiesceTree(withSignal: boolean): (n: number) => Tree {
  return (n) => {
    const root = new TokenSource();
    const kids: TokenSource[] = new Array(n);
    let seen = 0;
    const onAbort = () => seen++;
    return {
      create(i) {
        const kid = root.child();
        if (withSignal) kid.signal.addEventListener("abort", onAbort);
        kids[i] = kid;
      },
      cancelRoot: () => root.cancel(),
      dispose: (i) => kids[i]![Symbol.dispose](),
      check(count) {
        if (!kids.every((k) => k.isCancelled)) throw new Error("not cancelled");
        if (withSignal && seen !== count) {
          throw new Error(`${seen} of ${count} signals aborted`);
        }
        if (root.childCount !== 0) throw new Error("root still holds children");
      },
    };
  };
}

/** The minimal hand-written Set-based tree: the lower bound for any registry design. */
class SetNode {
  parent: SetNode | undefined;
  children: Set<SetNode> | undefined;
  cancelled = false;
  child(): SetNode {
    const node = new SetNode();
    node.parent = this;
    (this.children ??= new Set()).add(node);
    return node;
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.parent?.children?.delete(this);
    this.parent = undefined;
    const kids = this.children;
    this.children = undefined;
    if (kids) { for (const kid of kids) kid.cancel(); }
  }
}

function setTree(n: number): Tree {
  const root = new SetNode();
  const kids: SetNode[] = new Array(n);
  return {
    create: (i) => void (kids[i] = root.child()),
    cancelRoot: () => root.cancel(),
    dispose: (i) => kids[i]!.cancel(),
    check() {
      if (!kids.every((k) => k.cancelled)) throw new Error("not cancelled");
    },
  };
}

/** child = AbortSignal.any([parent, own]) plus an abort listener; dispose = own.abort(). */
function anyTree(n: number): Tree {
  const parent = new AbortController();
  const own: AbortController[] = new Array(n);
  const linked: AbortSignal[] = new Array(n);
  let seen = 0;
  const onAbort = () => seen++;
  return {
    create(i) {
      const mine = new AbortController();
      const signal = AbortSignal.any([parent.signal, mine.signal]);
      signal.addEventListener("abort", onAbort);
      own[i] = mine;
      linked[i] = signal;
    },
    cancelRoot: () => parent.abort(),
    dispose: (i) => own[i]!.abort(),
    check(count) {
      if (!linked.every((s) => s.aborted)) throw new Error("not aborted");
      if (seen !== count) throw new Error(`${seen} of ${count} aborted`);
    },
  };
}

/** One abort listener per child on the parent's signal (removed by the child's own signal). */
function listenerTree(n: number): Tree {
  const parent = new AbortController();
  const own: AbortController[] = new Array(n);
  return {
    create(i) {
      const mine = new AbortController();
      parent.signal.addEventListener("abort", () => mine.abort(), {
        once: true,
        signal: mine.signal,
      });
      own[i] = mine;
    },
    cancelRoot: () => parent.abort(),
    dispose: (i) => own[i]!.abort(),
    check() {
      if (!own.every((c) => c.signal.aborted)) throw new Error("not aborted");
    },
  };
}

const IMPLS: Impl[] = [
  { name: "quiesce TokenSource", n: LIVE, make: quiesceTree(false) },
  { name: "quiesce + .signal listener", n: LIVE, make: quiesceTree(true) },
  { name: "Set tree (hand-written)", n: LIVE, make: setTree },
  { name: "AbortSignal.any + listener", n: LIVE, make: anyTree },
  { name: "listener per child (10k!)", n: QUADRATIC_LIVE, make: listenerTree },
];

async function live(impl: Impl): Promise<Array<number | string>> {
  const n = impl.n;
  // Trial 1: create, cancel the root, dispose the (already cancelled) children.
  let tree: Tree | undefined = impl.make(n);
  const before = await settledHeap();
  const create = timeSync(() => {
    for (let i = 0; i < n; i++) tree!.create(i);
  });
  const grown = await settledHeap();
  const cancel = timeSync(() => tree!.cancelRoot());
  const dispose = timeSync(() => {
    for (let i = 0; i < n; i++) tree!.dispose(i);
  });
  tree.check(n);
  tree = undefined;
  // Trial 2: create, then dispose every child while the root is live (the unlink path).
  const tree2 = impl.make(n);
  for (let i = 0; i < n; i++) tree2.create(i);
  const unlink = timeSync(() => {
    for (let i = 0; i < n; i++) tree2.dispose(i);
  });
  tree2.cancelRoot();
  tree2.check(n);
  return [n, create, cancel, dispose, unlink, (grown - before) / n];
}

const sections: Section[] = [];
{
  const rows: Section["rows"] = [];
  for (const touch of [false, true]) {
    progress(`churn ${CYCLES} cycles, signal=${touch}`);
    rows.push({
      label: touch ? "child + .signal + dispose" : "child + dispose",
      cells: await churn(touch),
    });
  }
  sections.push({
    title: `(a) ${
      CYCLES.toLocaleString("en-US")
    } create/dispose cycles under one root`,
    columns: ["ms", "ns/cycle", "heap KiB", "childCount"],
    rows,
    notes: [
      "heap KiB = heap after forced GC minus before (flat = no retention)",
    ],
  });
}
{
  const rows: Section["rows"] = [];
  for (const impl of IMPLS) {
    progress(`live children: ${impl.name}`);
    rows.push({ label: impl.name, cells: await live(impl) });
  }
  sections.push({
    title: "(b) live children: create / cancel root / dispose",
    columns: [
      "n",
      "create ms",
      "cancel ms",
      "dispose ms",
      "unlink ms",
      "B/child",
    ],
    rows,
    notes: [
      "unlink ms = disposing every child while the root is still live (second tree)",
      `listener-per-child runs at ${
        QUADRATIC_LIVE.toLocaleString("en-US")
      } only: ` +
      "EventTarget's duplicate check makes it O(n^2)",
    ],
  });
}
report(sections);
