// Loads Effection (the current major, pinned) for the peer row. Deno takes an `npm:`
// specifier (run with --no-lock so no lock file lands in the repository). Bun has no `npm:`
// specifiers, so it is installed once into the system's temporary directory, never into
// the checkout, and imported from there by path.

/** What the benchmark uses of Effection 4. */
export interface Effection {
  run<T>(op: () => Generator<unknown, T, unknown>): PromiseLike<T>;
  spawn<T>(
    op: () => Generator<unknown, T, unknown>,
  ): { [Symbol.iterator](): Iterator<unknown, PeerTask<T>, unknown> };
  call<T>(
    fn: () => Promise<T>,
  ): { [Symbol.iterator](): Iterator<unknown, T, unknown> };
}

/** An Effection task: yield* it to join. */
export interface PeerTask<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}

export const EFFECTION_VERSION = "4.1.1";

interface BunHost {
  resolveSync(specifier: string, from: string): string;
  spawnSync(
    cmd: string[],
    options: { cwd: string; stdout: "inherit"; stderr: "inherit" },
  ): { exitCode: number | null };
}

/** Effection, or why it could not be loaded. */
export async function loadEffection(): Promise<Effection | string> {
  const bun = (globalThis as { Bun?: BunHost }).Bun;
  try {
    if (bun === undefined) {
      const specifier = `npm:effection@${EFFECTION_VERSION}`;
      return await import(specifier) as Effection;
    }
    const { mkdirSync, writeFileSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = `${tmpdir()}/quiesce-bench-peers-${EFFECTION_VERSION}/`;
    if (!existsSync(`${dir}node_modules/effection/package.json`)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        `${dir}package.json`,
        JSON.stringify({
          private: true,
          dependencies: { effection: EFFECTION_VERSION },
        }),
      );
      const process = (globalThis as { process?: { execPath: string } })
        .process!;
      const installed = bun.spawnSync([process.execPath, "install"], {
        cwd: dir,
        stdout: "inherit",
        stderr: "inherit",
      });
      if (installed.exitCode !== 0) return "bun install of effection failed";
    }
    return await import(bun.resolveSync("effection", dir)) as Effection;
  } catch (error) {
    return `effection not loaded: ${(error as Error).message}`;
  }
}
