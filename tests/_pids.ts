// Whether processes still run, by `ps` (Deno reads /proc only with --allow-all).

/** Whether `pid` is a live process; a zombie waiting for its parent or init is not. */
export function alive(pid: number): boolean {
  const out = new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const stat = new TextDecoder().decode(out.stdout).trim();
  return stat !== "" && !stat.startsWith("Z");
}

/** Waits up to 1 s for `pids` to be gone (a SIGKILL takes a moment); returns those left. */
export async function gone(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 20; i++) {
    if (pids.every((pid) => !alive(pid))) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.filter(alive);
}
