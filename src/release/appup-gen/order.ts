/**
 * The order of an application's module instructions in a generated upgrade: callee before caller
 * (a module after every module it depends on), so that new functions exist before their callers
 * use them (rebar3_appup_plugin #51); among modules the graph leaves unordered, higher
 * `upgrade.priority` first (knit's rule), then by name. A dependency cycle is broken at its
 * best-ranked module and reported. The downgrade is the inverse, in reverse order.
 */

export interface Ordered {
  order: string[];
  /** Modules at which a dependency cycle was broken. */
  cycles: string[];
}

export function orderModules(
  ids: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
  priority: (id: string) => number,
): Ordered {
  const inSet = new Set(ids);
  const waitingOn = new Map(
    ids.map((id) => [id, new Set((deps.get(id) ?? []).filter((d) => inSet.has(d) && d !== id))]),
  );
  const rank = (a: string, b: string): number => priority(b) - priority(a) || (a < b ? -1 : a > b ? 1 : 0);
  const order: string[] = [];
  const cycles: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, w]) => w.size === 0).map(([id]) => id);
    let next: string;
    if (ready.length > 0) next = ready.sort(rank)[0]!;
    else {
      next = [...waitingOn.keys()].sort(rank)[0]!;
      cycles.push(next);
    }
    waitingOn.delete(next);
    order.push(next);
    for (const w of waitingOn.values()) w.delete(next);
  }
  return { order, cycles };
}
