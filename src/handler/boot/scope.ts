/**
 * What `bin/<rel> eval` and the remote console see: hotrel's whole public API (processes, the
 * code server with its c/l/r helpers, behaviours) plus facts about the node.
 */
import * as runtime from '../../runtime';
import * as code from '../../code';
import * as behaviours from '../../behaviours';
import { getModule } from '../../code';

export function shellScope(node: Record<string, unknown>): Record<string, unknown> {
  return {
    ...runtime,
    ...code,
    ...behaviours,
    hotrel: { ...runtime, ...code, ...behaviours },
    node,
    /** A module of the running release by id: `mod('kvapp:kv').get('a')`. */
    mod: (id: string) => getModule(id),
  };
}
