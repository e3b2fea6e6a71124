/**
 * One load_object_code per application, first in the script (systools_rc:merge_load_object_code,
 * semantics.md §4.1 step 9). The module lists are merged with systools' own `union`, which puts a
 * module listed twice at its later place; the order of reading code has no effect on the upgrade.
 */
import type { Op, RelupInstruction } from '../../model/instructions';
import { RelupError } from './errors';
import type { Instr } from './expanded';

type LoadObjectCode = Op<RelupInstruction, 'load_object_code'>;

export function mergeLoadObjectCode(before: readonly Instr[]): Instr[] {
  const found = before.filter((i): i is LoadObjectCode => i.op === 'load_object_code');
  const rest = before.filter((i) => i.op !== 'load_object_code');
  return [...mergeByLib(found), ...rest];
}

function mergeByLib(list: readonly LoadObjectCode[]): LoadObjectCode[] {
  const out: LoadObjectCode[] = [];
  let remaining = list;
  while (remaining.length > 0) {
    const [head, ...tail] = remaining as [LoadObjectCode, ...LoadObjectCode[]];
    // systools scans the rest from its end, so the conflict it reports is the last one.
    for (let i = tail.length - 1; i >= 0; i--) {
      const other = tail[i]!;
      if (other.app === head.app && other.vsn !== head.vsn) {
        throw new RelupError(
          'conflicting_versions',
          `application ${JSON.stringify(head.app)} would be read in two versions, ${JSON.stringify(head.vsn)} and ` +
            `${JSON.stringify(other.vsn)}; a load_object_code written in an appup must name the version of the ` +
            'release being installed',
          { application: head.app, versions: [head.vsn, other.vsn] },
        );
      }
    }
    const same = tail.filter((i) => i.app === head.app);
    remaining = tail.filter((i) => i.app !== head.app);
    // foldr(union) over the same-lib lists, then union with the head's list: built right to left,
    // each list contributes the modules not already taken, in front of what is there.
    const chunks: string[][] = [];
    const taken = new Set<string>();
    for (const lib of [...same].reverse().concat(head)) {
      const fresh = lib.modules.filter((m) => !taken.has(m));
      for (const m of fresh) taken.add(m);
      chunks.push(fresh);
    }
    out.push({ op: 'load_object_code', app: head.app, vsn: head.vsn, modules: chunks.reverse().flat() });
  }
  return out;
}
