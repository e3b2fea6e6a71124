/** Human-readable rendering of relup scripts (for the CLI and for logs of the release handler). */
import type { RelupInstruction } from './instructions';
import { show } from './json';
import type { Relup, RelupSection } from './relup';

const purges = (pre: string, post: string): string => (pre === post ? pre : `pre ${pre}, post ${post}`);

/** One instruction on one line, e.g. `load kvapp:kv_worker (brutal_purge)`. */
export function formatInstruction(instr: RelupInstruction): string {
  switch (instr.op) {
    case 'load_object_code':
      return `load_object_code ${instr.app}-${instr.vsn}: ${instr.modules.join(', ')}`;
    case 'point_of_no_return':
      return 'point_of_no_return';
    case 'load':
    case 'remove':
      return `${instr.op} ${instr.module} (${purges(instr.prePurge, instr.postPurge)})`;
    case 'purge':
    case 'resume':
    case 'stop':
    case 'start':
      return `${instr.op} ${instr.modules.join(', ')}`;
    case 'suspend':
      return `suspend ${instr.modules
        .map((m) => (typeof m === 'string' ? m : `${m.module} (timeout ${m.timeout})`))
        .join(', ')}`;
    case 'code_change':
      return `code_change ${instr.mode} ${instr.modules.map((m) => `${m.module} extra ${show(m.extra)}`).join(', ')}`;
    case 'sync_nodes':
      return instr.nodes !== undefined
        ? `sync_nodes ${show(instr.id)} with ${instr.nodes.join(', ')}`
        : `sync_nodes ${show(instr.id)} with the nodes from ${call(instr.apply!)}`;
    case 'apply':
      return `apply ${call(instr)}`;
    case 'restart_new_emulator':
      return 'restart_new_emulator (restart the node on the new Node.js/hotrel first)';
    case 'restart_emulator':
      return 'restart_emulator (restart the node at the end)';
  }
}

function call(target: { module: string; function: string; args: unknown[] }): string {
  return `${target.module}.${target.function}(${target.args.map((a) => show(a)).join(', ')})`;
}

/** A numbered script, one instruction per line, indented by `indent`. */
export function formatScript(script: readonly RelupInstruction[], indent = '  '): string {
  const width = String(script.length).length;
  return script
    .map((instr, i) => `${indent}${String(i + 1).padStart(width)}  ${formatInstruction(instr)}`)
    .join('\n');
}

/** A whole relup: each up and down section with its script. */
export function formatRelup(relup: Relup, releaseName?: string): string {
  const title = `relup of ${releaseName !== undefined ? `${releaseName} ` : ''}${relup.vsn}`;
  const section = (label: string, s: RelupSection): string =>
    `${label} ${s.vsn}${s.description === '' ? '' : ` (${show(s.description)})`}:\n${formatScript(s.instructions, '    ')}`;
  const parts = [
    title,
    ...relup.up.map((s) => section('  up from', s)),
    ...relup.down.map((s) => section('  down to', s)),
  ];
  if (relup.up.length === 0 && relup.down.length === 0) parts.push('  (no up or down sections)');
  return parts.join('\n');
}
