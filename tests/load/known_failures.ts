// Load rows that fail until the server side (src/http/*, issue 16) is fixed. They still
// run on every `deno task test:load`, and the suite prints each of them loudly, with what
// it saw, but they do not fail CI. A row listed here that passes is printed loudly too:
// take it off the list. Keys are `<runtime> <scenario name>`; values say why it fails.
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  "deno slow readers":
    "issue 16 items 3-4: the reader that stopped is not cut at stallTimeout (5 s): the " +
    "drain runs to the 8 s deadline (exit 1) and the report names only 'http server', " +
    "not GET /big",
  "bun slow readers":
    "issue 16 items 3-4: 1.5 s after SIGTERM (linger + idleGrace) stop(true) cuts the " +
    "slow reader at 19 of 32 MiB and the stalled one, unnamed, and the exit is 143 " +
    "(clean): Bun had taken the 64 KiB slices, so nothing counted as in flight",
};
