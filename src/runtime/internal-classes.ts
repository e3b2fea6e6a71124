/**
 * hotrel's own classes, whose instances sit in every process (pids, refs, behaviour records,
 * requests). The code server's old-code walk looks for functions of application code in a
 * process's state; it does not need to enter these classes' prototypes (their methods are
 * hotrel's, never application code), and would otherwise walk the same few dozen methods again
 * for every process of a large node.
 */
const internal = new WeakSet<object>();

/** Marks classes as hotrel's own (their prototypes hold no application code). */
export function markInternalClasses(...classes: ReadonlyArray<{ prototype: unknown }>): void {
  for (const c of classes)
    if (typeof c.prototype === 'object' && c.prototype !== null) internal.add(c.prototype);
}

/** Whether `proto` is the prototype of one of hotrel's own classes. */
export function isInternalPrototype(proto: unknown): boolean {
  return typeof proto === 'object' && proto !== null && internal.has(proto);
}
