/**
 * A real `AbortSignal` whose live "abort" listeners are counted, to prove that code removes
 * what it adds (EventTarget offers no listener count).
 */
export function countedSignal(): {
  controller: AbortController;
  live: () => number;
} {
  const controller = new AbortController();
  const { signal } = controller;
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  Object.assign(signal, {
    addEventListener(
      type: string,
      fn: EventListener,
      options?: AddEventListenerOptions,
    ) {
      if (type === "abort") listeners.add(fn);
      add(type, fn, options);
    },
    removeEventListener(type: string, fn: EventListener) {
      if (type === "abort") listeners.delete(fn);
      remove(type, fn);
    },
  });
  return { controller, live: () => listeners.size };
}
