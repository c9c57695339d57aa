// The little bench/soak.ts needs to run unchanged on Deno and on Bun.

interface DenoHost {
  args: string[];
  exit(code: number): never;
  version: { deno: string };
}
interface BunHost {
  version: string;
}
interface ProcessHost {
  argv: string[];
  exit(code: number): never;
}

const host = globalThis as unknown as {
  Deno?: DenoHost;
  Bun?: BunHost;
  process?: ProcessHost;
};

/** `"bun 1.4.5"` or `"deno 2.9.6"`. */
export const RUNTIME: string = host.Bun
  ? `bun ${host.Bun.version}`
  : `deno ${host.Deno?.version.deno ?? "?"}`;

/** Command-line arguments after the script. */
export const ARGS: string[] = host.Bun
  ? host.process?.argv.slice(2) ?? []
  : host.Deno?.args ?? [];

/** Ends the process with `code`. */
export function exit(code: number): never {
  if (host.Bun) return host.process!.exit(code);
  return host.Deno!.exit(code);
}
