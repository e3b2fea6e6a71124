/**
 * hotrel's own classes, whose instances sit in every process (pids, refs, behaviour records,
 * requests). The code server's old-code walk looks for functions of application code in a
 * process's state; it does not need to enter these classes' prototypes (their methods are
 * hotrel's, never application code), and would otherwise walk the same few dozen methods again
 * for every process of a large node.
 */
const internal = new WeakSet<object>();
/** Prototypes of classes whose instances hold only hotrel's own data (a pid's number). */
const plainData = new WeakSet<object>();

/** Marks classes as hotrel's own (their prototypes hold no application code). */
export function markInternalClasses(...classes: ReadonlyArray<{ prototype: unknown }>): void {
  for (const c of classes)
    if (typeof c.prototype === 'object' && c.prototype !== null) internal.add(c.prototype);
}

/** Whether `proto` is the prototype of one of hotrel's own classes. */
export function isInternalPrototype(proto: unknown): boolean {
  return typeof proto === 'object' && proto !== null && internal.has(proto);
}

/**
 * Marks classes whose instances hold nothing but hotrel's own plain data (pids, refs): the
 * walk does not enter them at all. A node holds a pid for every process in several places
 * (a supervisor of 100,000 children holds 100,000), so this halves the walk of such states.
 */
export function markDataClasses(...classes: ReadonlyArray<{ prototype: unknown }>): void {
  markInternalClasses(...classes);
  for (const c of classes)
    if (typeof c.prototype === 'object' && c.prototype !== null) plainData.add(c.prototype);
}

/** Whether `value` is an instance of a class marked with {@link markDataClasses}. */
export function isPlainDataInstance(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return typeof proto === 'object' && proto !== null && plainData.has(proto);
}
