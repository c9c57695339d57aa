// Loads the peer libraries the task benchmark compares against: Effection 3 and Effect 3.
// Deno takes `npm:` specifiers; Bun does not, so on Bun they are installed once into
// bench/.peers (gitignored) with `bun install` and imported from there by path.

/** Effection 3, as far as the benchmark uses it. */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}
/** An Effection task: an operation and a promise. */
export interface EffectionTask<T> extends Operation<T>, PromiseLike<T> {
  halt(): Operation<void> & PromiseLike<void>;
}
/** The Effection exports used. */
export interface Effection {
  run<T>(op: () => Operation<T>): EffectionTask<T>;
  spawn<T>(op: () => Operation<T>): Operation<EffectionTask<T>>;
  suspend(): Operation<void>;
  call<T>(fn: () => Promise<T>): Operation<T>;
}

/** An opaque Effect value. */
export type Eff = { readonly _tag?: unknown };
/** The Effect exports used. */
export interface EffectLib {
  Effect: {
    succeed(value: unknown): Eff;
    never: Eff;
    fork(effect: Eff): Eff;
    forEach(items: Iterable<number>, f: (i: number) => Eff): Eff;
    flatMap(effect: Eff, f: (value: never) => Eff): Eff;
    promise(f: () => PromiseLike<unknown>): Eff;
    runPromise(effect: Eff): Promise<unknown>;
  };
  Fiber: {
    joinAll(fibers: Iterable<unknown>): Eff;
    interruptAll(fibers: Iterable<unknown>): Eff;
  };
}

/** What could be loaded, and why not. */
export interface Peers {
  effection?: Effection;
  effect?: EffectLib;
  notes: string[];
}

export const EFFECTION_VERSION = "3.6.1";
export const EFFECT_VERSION = "3.22.4";

interface BunHost {
  resolveSync(specifier: string, from: string): string;
  spawnSync(
    cmd: string[],
    options: { cwd: string; stdout: "inherit"; stderr: "inherit" },
  ): { exitCode: number | null };
}
const host = globalThis as unknown as {
  Bun?: BunHost;
  process?: { execPath: string };
};

const PEERS_DIR = new URL("./.peers/", import.meta.url).pathname;

async function bunImportPath(name: string): Promise<string | undefined> {
  // Only our pinned install: without a node_modules here, Bun's resolver would auto-install
  // the newest version into its global cache instead (Effect 4 has no Effect.fork).
  const { existsSync } = await import("node:fs");
  if (!existsSync(`${PEERS_DIR}node_modules/${name}/package.json`)) {
    return undefined;
  }
  try {
    return host.Bun!.resolveSync(name, PEERS_DIR);
  } catch {
    return undefined;
  }
}

async function installForBun(notes: string[]): Promise<void> {
  if (await bunImportPath("effection") && await bunImportPath("effect")) return;
  const dir = PEERS_DIR;
  const { mkdirSync, writeFileSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}package.json`,
    JSON.stringify({
      private: true,
      dependencies: { effection: EFFECTION_VERSION, effect: EFFECT_VERSION },
    }),
  );
  console.error(`installing peers into ${dir} (bun install, once)`);
  const { exitCode } = host.Bun!.spawnSync(
    [host.process!.execPath, "install"],
    { cwd: dir, stdout: "inherit", stderr: "inherit" },
  );
  if (exitCode !== 0) notes.push(`bun install of peers failed (${exitCode})`);
}

/** Imports both peers, or explains in `notes` which one is missing and why. */
export async function loadPeers(): Promise<Peers> {
  const notes: string[] = [];
  const peers: Peers = { notes };
  const specifiers: Record<"effection" | "effect", string | undefined> = {
    effection: `npm:effection@${EFFECTION_VERSION}`,
    effect: `npm:effect@${EFFECT_VERSION}`,
  };
  if (host.Bun) {
    await installForBun(notes);
    specifiers.effection = await bunImportPath("effection");
    specifiers.effect = await bunImportPath("effect");
  }
  for (const name of ["effection", "effect"] as const) {
    const specifier = specifiers[name];
    if (specifier === undefined) {
      notes.push(`${name} skipped: not installed in bench/.peers`);
      continue;
    }
    try {
      const module = await import(specifier);
      if (name === "effection") peers.effection = module as Effection;
      else peers.effect = module as EffectLib;
    } catch (error) {
      notes.push(`${name} skipped: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return peers;
}
