/**
 * The start order of a release's applications, by OTP's rule (`systools_make:sort_appls/1`):
 * every application comes after the applications it requires and the ones it includes, and
 * otherwise the order of the release is kept. The relup compiler visits changed applications in
 * this order; the boot uses it too.
 */

export interface OrderedApp {
  name: string;
  /** Required applications (must start first). */
  applications: readonly string[];
  /** Included applications (loaded, started by the includer; placed first too). */
  includedApplications: readonly string[];
  /** Required applications that may be absent from the release. */
  optionalApplications?: readonly string[];
}

export class StartOrderError extends Error {
  constructor(
    readonly kind: 'undefined_applications' | 'circular_dependencies',
    readonly applications: readonly string[],
    detail: string,
  ) {
    super(detail);
    this.name = 'StartOrderError';
  }
}

/**
 * Sorts `apps` into start order. Throws StartOrderError `undefined_applications` when an
 * application requires one the release does not hold, or `circular_dependencies`.
 */
export function sortApplications<A extends OrderedApp>(apps: readonly A[]): A[] {
  const present = new Set(apps.map((a) => a.name));
  // An optional application that the release does not hold is simply not waited for.
  const uses = (a: A): string[] =>
    a.applications.filter((n) => present.has(n) || !(a.optionalApplications ?? []).includes(n));

  const sorted: A[] = [];
  // Names that have been at the head of the queue; meeting one again as a dependency is a cycle.
  const visited = new Set<string>();
  let missing: string[] = [];
  let circular: string[] = [];
  let queue = [...apps];

  while (queue.length > 0) {
    const app = queue[0]!;
    let rest = queue.slice(1);
    const found: A[] = [];
    const notFound: string[] = [];
    // Applications that `app` needs and that are still waiting move in front of it.
    const takeFrom = (names: readonly string[]): void => {
      for (const name of names) {
        const index = rest.findIndex((a) => a.name === name);
        const needed = index >= 0 ? rest[index]! : undefined;
        if (needed !== undefined && !needed.includedApplications.includes(app.name)) {
          found.push(needed);
          rest = rest.filter((_, i) => i !== index);
        } else if (needed === undefined && !visited.has(name)) {
          notFound.push(name);
        }
        // "Y includes X, X uses Y" is legal (Y starts X): X does not wait for Y. OTP reports Y
        // as undefined when X comes first in the release; hotrel gives the order OTP gives when
        // Y comes first.
      }
    };
    takeFrom(uses(app));
    takeFrom(app.includedApplications);
    missing = [...notFound, ...missing];
    if (found.length === 0) {
      sorted.push(app);
      queue = rest;
    } else {
      const cycle = found.filter((a) => visited.has(a.name)).map((a) => a.name);
      if (cycle.length > 0) circular = [app.name, ...cycle, ...circular];
      const dropped = new Set(cycle);
      queue = [...found.filter((a) => !dropped.has(a.name)), app, ...rest];
    }
    visited.add(app.name);
  }

  const uniq = (xs: string[]): string[] => [...new Set(xs)];
  const quote = (xs: string[]): string => xs.map((n) => JSON.stringify(n)).join(', ');
  if (circular.length > 0) {
    throw new StartOrderError(
      'circular_dependencies',
      uniq(circular),
      `applications ${quote(uniq(circular))} depend on each other in a cycle ` +
        '(through "applications" or "includedApplications"); break the cycle in their app.json',
    );
  }
  if (missing.length > 0) {
    throw new StartOrderError(
      'undefined_applications',
      uniq(missing),
      `required applications ${quote(uniq(missing))} are not in the release; ` +
        'add them to release.json or list them in "optionalApplications"',
    );
  }
  return sorted;
}
