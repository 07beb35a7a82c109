// A target (or any object) with some of its methods replaced, for the fault tests that step in at one
// moment of an operation (a folder swapped for a link right before a removal, a file put at a name
// right after a look): the others are called on the object itself.
export function wrap<T extends object>(t: T, over: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(t, {
    get(target, prop, receiver) {
      if (prop in over) return (over as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
