// Load rows that fail until the server side (src/http/*, issue 16) is fixed. They still
// run on every `deno task test:load`, and the suite prints each of them loudly, with what
// it saw, but they do not fail CI. A row listed here that passes is printed loudly too:
// take it off the list. Keys are `<runtime> <scenario name>`; values say why it fails.
const ITEM_3 =
  "issue 16 items 3-4: a reader that stopped holds the drain to the deadline and the " +
  "report names only the http server, not GET /big";
const ITEM_4 =
  "issue 16 item 4: on Bun a half-sent request line keeps server.stop() pending, so " +
  "the drain runs to the deadline (exit 1)";
const ITEM_5 =
  "issue 16 item 5: sse() send() always queues: a stalled client makes the server " +
  "hold 45-100 MiB more in 2 s";
const LATE_SSE =
  "sse() answers a request that arrives after the drain began (the listener is held " +
  "open while bodies are read, and nginx keeps sending) with an empty 200 stream: no " +
  "final event";

export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  "bun half and silent connections": ITEM_4,
  "deno slow readers": ITEM_3,
  "bun slow readers": ITEM_3,
  "deno stalled SSE": ITEM_5,
  "bun stalled SSE": ITEM_5,
  // nginx (passive checks) keeps sending to a replica until its listener stops.
  "deno fleet behind nginx": LATE_SSE,
  "bun fleet behind nginx": LATE_SSE,
};
