// Load rows that fail until the server side (src/http/*, issue 16) is fixed. They still
// run on every `deno task test:load`, and the suite prints each of them loudly, with what
// it saw, but they do not fail CI. A row listed here that passes is printed loudly too:
// take it off the list. Keys are `<runtime> <scenario name>`; values say why it fails.
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  // One cause, two effects: a response body that began before the first signal is not
  // followed. Asked 150 ms after SIGTERM, the same stalled GET /big is cut at
  // stallTimeout and named (exit 1) on both runtimes.
  "deno slow readers":
    "issue 16 items 3-4: a response begun before SIGTERM is not followed: the reader " +
    "that stopped is not cut at stallTimeout (5 s), the drain runs to the 8 s " +
    "deadline (exit 1) and names only 'http server', not GET /big",
  "bun slow readers":
    "issue 16 items 3-4: a response begun before SIGTERM is not followed: 1.5 s after " +
    "SIGTERM (linger + idleGrace) stop(true) cuts the slow reader at 19 of 32 MiB " +
    "and the stalled one, unnamed, and the exit is 143 (clean)",
};
