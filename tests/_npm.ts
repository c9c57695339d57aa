// The examples' npm packages (examples/package.json), installed when any is missing: a fresh
// clone has no examples/node_modules. .ci/run installs them before the tests, so parallel
// test files do not race to install; outside CI the first test that needs them does, once
// per test process. `--no-package-lock`: a test never rewrites the committed lock file.
import { ROOT } from "./_runtime.ts";

const EXAMPLES = `${ROOT}examples`;

let installing: Promise<void> | undefined;

function missing(): string[] {
  const manifest = JSON.parse(
    Deno.readTextFileSync(`${EXAMPLES}/package.json`),
  ) as { dependencies: Record<string, string> };
  return Object.keys(manifest.dependencies).filter((name) => {
    try {
      return !Deno.statSync(`${EXAMPLES}/node_modules/${name}/package.json`)
        .isFile;
    } catch {
      return true;
    }
  });
}

/** Resolves once every package examples/package.json lists is installed (runs npm if not). */
export function ensureNpmPackages(): Promise<void> {
  if (missing().length === 0) return Promise.resolve();
  installing ??= (async () => {
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        EXAMPLES,
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const left = missing();
    if (!out.success || left.length > 0) {
      throw new Error(
        `npm install --prefix examples failed (missing ${left.join(", ")}): ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
  })();
  return installing;
}
