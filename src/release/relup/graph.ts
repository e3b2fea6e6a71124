/**
 * The dependency graph of module instructions and the order of each of its parts
 * (systools_rc: make_dependency_graph, get_dependent_instructions; semantics.md §4.2-§4.4).
 *
 * Vertices are modules; an edge A -> B means A's instruction lists B in its deps (A calls B's new
 * code). Where OTP leaves the order of unrelated vertices to ETS hash order, hotrel uses a
 * reverse post-order depth-first search that visits vertices (and successors) in original
 * instruction order: deterministic, and every edge is respected.
 */
import { RelupError } from './errors';
import type { Dependent, Instr } from './expanded';
import { isDependent } from './expanded';

export interface Vertex {
  /** 1-based position among the dependent instructions (OTP's N). */
  n: number;
  instr: Dependent;
  /** Out-edges (the instruction's deps), in the order written. */
  deps: readonly string[];
}

export interface DependencyGraph {
  /** Vertices by module, in instruction order. */
  vertices: ReadonlyMap<string, Vertex>;
}

export function buildDependencyGraph(script: readonly Instr[]): DependencyGraph {
  const vertices = new Map<string, Vertex>();
  let n = 0;
  for (const instr of script) {
    if (!isDependent(instr)) continue;
    n += 1;
    const existing = vertices.get(instr.module);
    if (existing !== undefined) {
      throw new RelupError(
        'muldef_module',
        `module ${JSON.stringify(instr.module)} has two instructions (${existing.instr.op} and ${instr.op}); ` +
          'give each module exactly one instruction (an added application already loads all its modules)',
        { module: instr.module },
      );
    }
    vertices.set(instr.module, { n, instr, deps: instr.deps });
  }
  for (const [module, vertex] of vertices) {
    for (const dep of vertex.deps) {
      if (!vertices.has(dep)) {
        throw new RelupError(
          'undef_module',
          `${JSON.stringify(module)} lists ${JSON.stringify(dep)} in its deps, but no instruction changes ` +
            `${JSON.stringify(dep)}; deps may only name modules that this upgrade loads, updates, adds or deletes, ` +
            'so remove it from deps or add an instruction for it',
          { module: dep, dependent: module },
        );
      }
    }
  }
  return { vertices };
}

/**
 * The weakly connected components (edges taken both ways), each listed in instruction order,
 * with the index of the component of every module.
 */
export function weakComponents(graph: DependencyGraph): {
  members: string[][];
  componentOf: Map<string, number>;
} {
  const parent = new Map<string, string>();
  const root = (m: string): string => {
    let r = m;
    while (parent.get(r) !== r) r = parent.get(r)!;
    // Path compression keeps later lookups short.
    let x = m;
    while (parent.get(x) !== r) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  for (const m of graph.vertices.keys()) parent.set(m, m);
  for (const [m, v] of graph.vertices) {
    for (const d of v.deps) {
      const a = root(m);
      const b = root(d);
      if (a !== b) parent.set(b, a);
    }
  }
  const index = new Map<string, number>();
  const members: string[][] = [];
  const componentOf = new Map<string, number>();
  for (const m of graph.vertices.keys()) {
    const r = root(m);
    let i = index.get(r);
    if (i === undefined) {
      i = members.length;
      index.set(r, i);
      members.push([]);
    }
    members[i]!.push(m);
    componentOf.set(m, i);
  }
  return { members, componentOf };
}

/**
 * The "order of dependency" of one component: dependents before the modules they depend on;
 * the members of a cycle in instruction order.
 */
export function dependencyOrder(graph: DependencyGraph, component: readonly string[]): Dependent[] {
  if (component.length === 1) return [graph.vertices.get(component[0]!)!.instr];
  const inComponent = new Set(component);
  const byN = (a: string, b: string): number => graph.vertices.get(a)!.n - graph.vertices.get(b)!.n;
  const ordered = [...component].sort(byN);
  const successorLists = new Map(
    ordered.map((m) => [
      m,
      [...new Set(graph.vertices.get(m)!.deps.filter((d) => inComponent.has(d)))].sort(byN),
    ]),
  );
  const successors = (m: string): string[] => successorLists.get(m)!;

  const sccs = stronglyConnected(ordered, successors);
  const sccOf = new Map<string, number>();
  sccs.forEach((scc, i) => scc.forEach((m) => sccOf.set(m, i)));
  // Condensed graph: one node per strong component, numbered by its earliest member.
  const first = sccs.map((scc) => scc.reduce((min, m) => Math.min(min, graph.vertices.get(m)!.n), Infinity));
  const nodeOrder = sccs.map((_, i) => i).sort((a, b) => first[a]! - first[b]!);
  const condensedSuccessors = (i: number): number[] => {
    const out = new Set<number>();
    for (const m of sccs[i]!) for (const d of successors(m)) if (sccOf.get(d) !== i) out.add(sccOf.get(d)!);
    return [...out].sort((a, b) => first[a]! - first[b]!);
  };

  // Reverse post-order of a depth-first search: for every edge A -> B, A comes before B.
  const post: number[] = [];
  const seen = new Set<number>();
  for (const start of nodeOrder) {
    if (seen.has(start)) continue;
    seen.add(start);
    const stack: { node: number; next: number[] }[] = [{ node: start, next: condensedSuccessors(start) }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.next.shift();
      if (child === undefined) {
        post.push(top.node);
        stack.pop();
      } else if (!seen.has(child)) {
        seen.add(child);
        stack.push({ node: child, next: condensedSuccessors(child) });
      }
    }
  }
  return post
    .reverse()
    .flatMap((i) => [...sccs[i]!].sort(byN))
    .map((m) => graph.vertices.get(m)!.instr);
}

/** Tarjan's strongly connected components, iteratively (no recursion limit on long chains). */
function stronglyConnected(vertices: readonly string[], successors: (v: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;

  for (const start of vertices) {
    if (index.has(start)) continue;
    const work: { v: string; next: string[] }[] = [];
    const visit = (v: string): void => {
      index.set(v, counter);
      low.set(v, counter);
      counter += 1;
      stack.push(v);
      onStack.add(v);
      work.push({ v, next: [...successors(v)] });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const w = frame.next.shift();
      if (w !== undefined) {
        if (!index.has(w)) visit(w);
        else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      if (low.get(frame.v) === index.get(frame.v)) {
        const scc: string[] = [];
        let x: string;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          scc.push(x);
        } while (x !== frame.v);
        result.push(scc);
      }
    }
  }
  return result;
}
