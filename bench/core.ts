// The core's speed against the fastest plain code for the same job, and against its peer,
// side by side in one process (see _measure.ts), on Deno or Bun:
//   deno run -A --no-lock --v8-flags=--expose-gc bench/core.ts [--quick]
//   bun bench/core.ts [--quick]
// `deno task bench` runs it on both runtimes. --quick: fewer repetitions, no 1M rows;
// --reps=N and --sizes=100000,1000000 pick repetitions and sizes.
import {
  GracefulShutdown,
  type Task,
  TaskGroup,
  TaskTracker,
  TokenSource,
} from "../mod.ts";
import { type Effection, loadEffection } from "./_effection.ts";
import { type Row, sideBySide, table, time } from "./_measure.ts";

const host = globalThis as {
  Deno?: { args: string[]; version: { deno: string } };
  Bun?: { version: string };
  process?: { argv: string[] };
};
const args = host.Deno?.args ?? host.process?.argv.slice(2) ?? [];
const QUICK = args.includes("--quick");
const REPS_ARG = args.find((a) => a.startsWith("--reps="));
const REPS = REPS_ARG ? Number(REPS_ARG.slice(7)) : QUICK ? 3 : 7;
// --sizes=100000,1000000 measures only those sizes.
const SIZES_ARG = args.find((a) => a.startsWith("--sizes="));
const runtime = host.Bun
  ? `bun ${host.Bun.version}`
  : `deno ${host.Deno?.version.deno}`;

// ---- spawn + complete -------------------------------------------------------------------

/** A coordinator as every `GracefulShutdown` row uses it: no OS signals, no progress line. */
const benchShutdown = (): GracefulShutdown =>
  new GracefulShutdown({ signals: false, onProgress: false });

/** The work every contender runs: the same async function. */
const work = async (_signal: AbortSignal): Promise<number> => {
  await null;
  return 1;
};

function check(total: number, n: number): void {
  if (total !== n) throw new Error(`expected ${n}, got ${total}`);
}

const sum = (values: ArrayLike<unknown>): number => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return total;
};

/**
 * The least a hand-written tracker keeps per task: a record (name, start time, status,
 * outcome, its controller) and one reaction to the work. No goal: it shows how far above
 * the bare baseline any per-task bookkeeping starts.
 */
class TaskRecord {
  status = 0;
  outcome: unknown = undefined;
  readonly startedAt = performance.now();
  readonly controller = new AbortController();
  constructor(readonly name: string) {}
}

function handWritten(n: number): Promise<number> {
  return time(async () => {
    const records = new Array<TaskRecord>(n);
    let live = n;
    const { promise: allDone, resolve } = Promise.withResolvers<void>();
    const settle = (record: TaskRecord, status: number, outcome: unknown) => {
      record.status = status;
      record.outcome = outcome;
      if (--live === 0) resolve();
    };
    for (let i = 0; i < n; i++) {
      const record = records[i] = new TaskRecord("task");
      work(record.controller.signal).then(
        (value) => settle(record, 1, value),
        (error) => settle(record, 2, error),
      );
    }
    await allDone;
    check(sum(records.map((record) => record.outcome)), n);
  });
}

function spawnRows(n: number, effection: Effection | string): Promise<Row[]> {
  const bare = {
    name: "AbortController per task + Promise.all",
    run: () =>
      time(async () => {
        const results = new Array<Promise<number>>(n);
        for (let i = 0; i < n; i++) {
          results[i] = work(new AbortController().signal);
        }
        check(sum(await Promise.all(results)), n);
      }),
  };
  return sideBySide("spawn + complete", n, REPS, bare, [
    { name: "hand-written record + .then per task", run: () => handWritten(n) },
    {
      name: "TaskGroup spawn + joinAll",
      goal: 2,
      run: () =>
        time(async () => {
          const group = new TaskGroup<number>();
          for (let i = 0; i < n; i++) group.spawn("task", work);
          check(sum(await group.joinAll()), n);
        }),
    },
    {
      name: "TaskTracker spawn + wait",
      goal: 2,
      run: () =>
        time(async () => {
          const tracker = new TaskTracker();
          const tasks = new Array<Task<number>>(n);
          for (let i = 0; i < n; i++) tasks[i] = tracker.spawn("task", work);
          await tracker.wait();
          check(tasks.filter((t) => t.status === "completed").length, n);
        }),
    },
    {
      name: "GracefulShutdown spawn + await",
      goal: 2,
      run: () =>
        time(async () => {
          const shutdown = benchShutdown();
          const tasks = new Array<Task<number>>(n);
          for (let i = 0; i < n; i++) tasks[i] = shutdown.spawn("task", work);
          check(sum(await Promise.all(tasks) as number[]), n);
          await shutdown.shutdown();
        }),
    },
    {
      // What a program does: it drains, it does not join handles. No Promise.all, so no
      // thenable adoption per handle (see the README's performance section).
      name: "GracefulShutdown spawn + drain",
      goal: 2,
      run: () =>
        time(async () => {
          const shutdown = benchShutdown();
          for (let i = 0; i < n; i++) shutdown.spawn("task", work);
          // The drain cancels what still runs and waits until every task's work ended.
          const report = await shutdown.shutdown();
          if (!report.ok) throw new Error("the drain was not clean");
        }),
    },
  ]).then(async (rows) => {
    if (typeof effection === "string") {
      console.error(`peer row skipped: ${effection}`);
      return rows;
    }
    const { run, spawn, call } = effection;
    // Effection against quiesce's TaskGroup: the ratio is how many times slower it is.
    const peer = await sideBySide(
      "spawn + complete vs peer",
      n,
      REPS,
      {
        name: "quiesce TaskGroup",
        run: () =>
          time(async () => {
            const group = new TaskGroup<number>();
            for (let i = 0; i < n; i++) group.spawn("task", work);
            check(sum(await group.joinAll()), n);
          }),
      },
      [{
        name: "Effection 4 run + spawn",
        goal: 30,
        atLeast: true,
        run: () =>
          time(async () => {
            const total = await run(function* () {
              const tasks = [];
              for (let i = 0; i < n; i++) {
                tasks.push(
                  yield* spawn(function* () {
                    return yield* call(async () => {
                      await null;
                      return 1;
                    });
                  }),
                );
              }
              let total = 0;
              for (const task of tasks) total += yield* task;
              return total;
            });
            check(total, n);
          }),
      }],
    );
    return [...rows, ...peer];
  });
}

// ---- cancel fan-out ---------------------------------------------------------------------

/** Work that waits for its signal, as a server's long-lived task does. */
const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );

function fanOutRows(n: number): Promise<Row[]> {
  const reason = new DOMException("stop", "AbortError");
  const bare = {
    name: "abort each controller, one shared reason",
    run: async () => {
      const controllers = new Array<AbortController>(n);
      const done = new Array<Promise<void>>(n);
      for (let i = 0; i < n; i++) {
        const controller = controllers[i] = new AbortController();
        done[i] = untilAborted(controller.signal);
      }
      return await time(async () => {
        for (let i = 0; i < n; i++) controllers[i]!.abort(reason);
        await Promise.all(done);
      });
    },
  };
  const timed = async (
    spawn: (fn: typeof untilAborted) => void,
    cancel: () => unknown,
  ) => {
    for (let i = 0; i < n; i++) spawn(untilAborted);
    return await time(cancel);
  };
  return sideBySide("cancel fan-out", n, REPS, bare, [
    {
      name: "TaskGroup.cancel + wait",
      goal: 1.3,
      run: () => {
        const group = new TaskGroup();
        return timed((fn) => group.spawn("task", fn), async () => {
          group.cancel(reason);
          await group.wait();
        });
      },
    },
    {
      name: "TaskTracker.cancel + wait",
      goal: 1.3,
      run: () => {
        const tracker = new TaskTracker();
        return timed((fn) => tracker.spawn("task", fn), async () => {
          tracker.cancel(reason);
          await tracker.wait();
        });
      },
    },
    {
      name: "task.cancel each + wait",
      goal: 1.3,
      run: () => {
        const tracker = new TaskTracker();
        const tasks: Task<void>[] = [];
        return timed(
          (fn) => tasks.push(tracker.spawn("task", fn)),
          async () => {
            for (const task of tasks) task.cancel(reason);
            await tracker.wait();
          },
        );
      },
    },
    {
      name: "GracefulShutdown.shutdown",
      goal: 1.3,
      run: () => {
        const shutdown = benchShutdown();
        return timed(
          (fn) => shutdown.spawn("task", fn),
          () => shutdown.shutdown(reason),
        );
      },
    },
  ]);
}

// ---- tokens -----------------------------------------------------------------------------

/** The minimal tree a competent engineer would write: a Set of children, a lazy controller. */
class SetNode {
  children: Set<SetNode> | undefined;
  controller: AbortController | undefined;
  parent: SetNode | undefined;
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }
  child(): SetNode {
    const node = new SetNode();
    node.parent = this;
    (this.children ??= new Set()).add(node);
    return node;
  }
  cancel(reason: unknown): void {
    this.parent?.children?.delete(this);
    this.parent = undefined;
    this.#cancelTree(reason);
  }
  #cancelTree(reason: unknown): void {
    this.controller?.abort(reason);
    const children = this.children;
    this.children = undefined;
    if (children) { for (const child of children) child.#cancelTree(reason); }
  }
}

function tokenRows(n: number): Promise<Row[]> {
  const reason = new DOMException("disposed", "AbortError");
  const churn = (touchSignal: boolean) => ({
    set: () =>
      time(() => {
        const root = new SetNode();
        for (let i = 0; i < n; i++) {
          const child = root.child();
          if (touchSignal) void child.signal;
          child.cancel(reason);
        }
      }),
    quiesce: () =>
      time(() => {
        const root = new TokenSource();
        for (let i = 0; i < n; i++) {
          const child = root.child();
          if (touchSignal) void child.signal;
          child[Symbol.dispose]();
        }
      }),
  });
  const plain = churn(false), touched = churn(true);
  return Promise.all([
    sideBySide("child create + dispose", n, REPS, {
      name: "Set tree",
      run: plain.set,
    }, [{ name: "TokenSource.child", goal: 1.2, run: plain.quiesce }]),
    sideBySide("child create + dispose, .signal read", n, REPS, {
      name: "Set tree",
      run: touched.set,
    }, [{ name: "TokenSource.child", goal: 1.2, run: touched.quiesce }]),
  ]).then((rows) => rows.flat());
}

function cancelTreeRows(n: number): Promise<Row[]> {
  return sideBySide("cancel a root with n children", n, QUICK ? 3 : 5, {
    name: "Set tree",
    run: () => {
      const root = new SetNode();
      for (let i = 0; i < n; i++) root.child();
      return time(() => root.cancel("bye"));
    },
  }, [{
    name: "TokenSource.cancel",
    goal: 1.5,
    run: () => {
      const root = new TokenSource();
      for (let i = 0; i < n; i++) root.child();
      return time(() => root.cancel("bye"));
    },
  }]);
}

/**
 * Many children sharing one outside signal: linear, not quadratic (one listener per child
 * would make EventTarget scan its list on every add). The baseline holds the same n live
 * children in a Set tree plus one Set of the signal's members, so the memory hierarchy's
 * share (per-item cost grows at 1M for any code) is on both sides and a quadratic cost
 * would show as a ratio growing with n.
 */
function sharedSignalRows(n: number): Promise<Row[]> {
  return sideBySide("shared outside signal", n, REPS, {
    name: "Set tree + one Set of members",
    run: () =>
      time(() => {
        const members = new Set<SetNode>();
        const root = new SetNode();
        const children = new Array<SetNode>(n);
        for (let i = 0; i < n; i++) members.add(children[i] = root.child());
        for (let i = 0; i < n; i++) {
          members.delete(children[i]!);
          children[i]!.cancel("done");
        }
      }),
  }, [{
    name: "TokenSource.child({ signal })",
    goal: 1.5,
    run: () => {
      const outside = new AbortController();
      const root = new TokenSource();
      return time(() => {
        const children = new Array<TokenSource>(n);
        for (let i = 0; i < n; i++) {
          children[i] = root.child({ signal: outside.signal });
        }
        for (let i = 0; i < n; i++) children[i]![Symbol.dispose]();
      });
    },
  }]);
}

// ---- run ----------------------------------------------------------------------------------

const effection = await loadEffection();
const rows: Row[] = [];
const sizes = SIZES_ARG
  ? SIZES_ARG.slice(8).split(",").map(Number)
  : QUICK
  ? [10_000, 100_000]
  : [10_000, 100_000, 1_000_000];
for (const n of sizes) {
  rows.push(
    ...await spawnRows(n, n <= 100_000 ? effection : "only up to 100k"),
  );
  rows.push(...await fanOutRows(n));
  rows.push(...await tokenRows(n));
  rows.push(...await cancelTreeRows(n));
  rows.push(...await sharedSignalRows(n));
}
console.log(table(runtime, rows));
if (sizes.includes(100_000) && sizes.includes(1_000_000)) {
  console.log(growthTable(rows, 100_000, 1_000_000));
}

/**
 * Issue 20's goal 5, nothing growing faster than linearly from `small` to `large`: per
 * contender, its ms per item at `large` over that at `small` (1.00 is linear), beside the
 * baseline's own growth (memory hierarchy and collector costs grow for any code), and the
 * goal on their quotient (the ratio to the baseline may grow by at most 1.3x).
 */
function growthTable(all: Row[], small: number, large: number): string {
  const lines = [
    `== ${runtime}: per-item growth ${small.toLocaleString("en-US")} -> ${
      large.toLocaleString("en-US")
    } (1.00 = linear)`,
  ];
  for (const big of all.filter((r) => r.n === large)) {
    const base = all.find((r) =>
      r.n === small && r.job === big.job && r.contender === big.contender
    );
    if (base === undefined) continue;
    const scale = large / small;
    const mine = big.contenderMs / base.contenderMs / scale;
    const bare = big.baselineMs / base.baselineMs / scale;
    const relative = big.ratio / base.ratio;
    lines.push(
      `${big.job}: ${big.contender}  ${mine.toFixed(2)}x (baseline ${
        bare.toFixed(2)
      }x)  ratio to baseline ${relative.toFixed(2)}x  goal <= 1.3x  ${
        relative <= 1.3 ? "met" : "NOT MET"
      }`,
    );
  }
  return lines.join("\n");
}
