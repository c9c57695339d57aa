// Load rows that fail until the server side (src/http/*, issue 16) is fixed. They still
// run on every `deno task test:load`, and the suite prints each of them loudly, with what
// it saw, but they do not fail CI. A row listed here that passes is printed loudly too:
// take it off the list. Keys are `<runtime> <scenario name>`; values say why it fails.
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  "deno slow readers":
    "issue 16 items 3-4: a response that began before SIGTERM is not followed: the " +
    "reader that stopped is not cut at stallTimeout (5 s), the drain runs to the 8 s " +
    "deadline (exit 1) and names only 'http server', not GET /big (asked after the " +
    "signal, the same request is cut at 5 s and named)",
  "bun slow readers":
    "issue 16 items 3-4: 1.5 s after SIGTERM (linger + idleGrace) stop(true) cuts the " +
    "slow reader at 19 of 32 MiB and the stalled one, unnamed, with exit 143 (clean); " +
    "asked after the signal, a stalled GET of the 32 MiB body is also cut unnamed, 143",
};
