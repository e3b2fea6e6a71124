/** The generator's report as text: what it generated for each application, and why. */
import type { AppupInstructionInput } from '../../model/instructions';
import { show } from '../../model/json';
import type { AppPlan, Explained, GenerateResult } from './types';

/** One appup instruction on one line: `update kv_worker change={"advanced":[]} deps=[kv_store]`. */
export function describeInstruction(instr: AppupInstructionInput): string {
  const { op, ...rest } = instr as Record<string, unknown> & { op: string };
  const head = ['module', 'application'].map((k) => rest[k]).find((v) => typeof v === 'string');
  const fields = Object.entries(rest)
    .filter(([k]) => k !== 'module' && k !== 'application')
    .map(([k, v]) => `${k}=${show(v)}`);
  if (op === 'apply') {
    return `apply ${String(rest.module)}.${String(rest.function)}(${((rest.args as unknown[]) ?? []).map((a) => show(a)).join(', ')})`;
  }
  return [op, head, ...fields].filter((s) => s !== undefined).join(' ');
}

function lines(list: readonly Explained[], indent: string): string[] {
  if (list.length === 0) return [`${indent}(nothing to do)`];
  const width = String(list.length).length;
  return list.flatMap((e, i) => [
    `${indent}${String(i + 1).padStart(width)}. ${describeInstruction(e.instruction)}`,
    `${indent}${' '.repeat(width + 2)}${e.why}`,
  ]);
}

function formatApp(plan: AppPlan): string[] {
  const head = `${plan.app} ${plan.vsn}:`;
  switch (plan.action) {
    case 'unchanged':
      return [`${head} unchanged in every older release; no appup needed`];
    case 'added':
    case 'removed':
      return [`${head} ${plan.notes.join('; ')}`];
    case 'hand-written':
      return [`${head} ${plan.notes.join('; ')}`];
    case 'generated': {
      const out = [`${head} generated ${plan.file}`];
      for (const from of plan.from) {
        const releases =
          from.releases.length === 1 ? `release ${from.releases[0]}` : `releases ${from.releases.join(', ')}`;
        out.push(`  up from ${from.vsn} (${releases}):`, ...lines(from.up, '    '));
        out.push(`  down to ${from.vsn}:`, ...lines(from.down, '    '));
      }
      for (const note of plan.notes) out.push(`  note: ${note}`);
      return out;
    }
  }
}

export function formatReport(result: GenerateResult): string {
  const out = [
    `appups of ${result.target.name} ${result.target.vsn}, from ${result.bases.length === 1 ? 'release' : 'releases'} ${result.bases.join(', ')}:`,
  ];
  for (const plan of result.apps) out.push(...formatApp(plan));
  return out.join('\n');
}
