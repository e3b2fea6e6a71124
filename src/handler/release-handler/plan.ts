/**
 * The plan of an install, made without changing anything (`upgrade --dry-run`, checkInstall):
 * what is loaded and removed, which processes each suspend instruction would suspend (and which
 * of them live outside any supervision tree, which OTP would miss), which processes would be
 * killed — at the install, because they still run or hold the old code a load purges; or at
 * makePermanent, because they hold code this install makes old — and which would keep old code
 * loaded (soft post-purge).
 */
import { behaviourOf } from '../../behaviours/core/record';
import { findCurrentCodeUsers, findOldCode, isLoaded, moduleInfo, type CodeHolder } from '../../code';

import { formatInstruction, type JsonValue, type RelupInstruction } from '../../model';
import { findUsers } from './evaluator/processes';
import type { ModuleVersions } from './evaluator/state';

/** How many processes a plan names per suspend instruction (it counts them all). */
const NAMED = 20;

export interface PlanProcess {
  pid: string;
  name: string | undefined;
  behaviour: string | undefined;
  application: string | undefined;
  /** False for a behaviour process outside any supervision tree (found by hotrel, not by OTP). */
  supervised: boolean;
}

export interface PlanHolder {
  pid: string;
  name: string | undefined;
  module: string;
  vsn: string;
  how: CodeHolder['how'];
  where: string;
}

export interface UpgradePlan {
  from: string;
  to: string;
  direction: 'up' | 'down';
  description: JsonValue;
  /** A node restart the script asks for. */
  restart: 'restart_emulator' | 'restart_new_emulator' | undefined;
  /** The script, one line per instruction. */
  script: string[];
  loads: Array<{ module: string; from: string | undefined; to: string | undefined }>;
  removes: string[];
  suspends: Array<{ modules: string[]; count: number; outsideTrees: number; processes: PlanProcess[] }>;
  /** Processes the install kills: they run or hold old code that a load, remove or purge purges. */
  killedAtInstall: PlanHolder[];
  /** Processes killed by makePermanent's purge unless their code change drops what they hold. */
  killedAtMakePermanent: PlanHolder[];
  /** Processes that would keep the code this install makes old loaded (soft post-purge). */
  keepOldCode: PlanHolder[];
  /** Processes whose old code makes the install refuse (soft pre-purge). */
  refusedBy: PlanHolder[];
  applies: string[];
}

function holder(h: CodeHolder): PlanHolder {
  return { pid: String(h.pid), name: h.name, module: h.module, vsn: h.vsn, how: h.how, where: h.where };
}

export async function makePlan(
  found: {
    from: string;
    to: string;
    direction: 'up' | 'down';
    description: JsonValue;
    instructions: readonly RelupInstruction[];
  },
  versions: ReadonlyMap<string, ModuleVersions>,
): Promise<UpgradePlan> {
  const script = found.instructions;
  const restart = script.find((i) => i.op === 'restart_new_emulator' || i.op === 'restart_emulator')?.op as
    'restart_emulator' | 'restart_new_emulator' | undefined;
  const loads = script.flatMap((i) =>
    i.op === 'load'
      ? [
          {
            module: i.module,
            from:
              versions.get(i.module)?.oldVsn ??
              (isLoaded(i.module) === false ? undefined : moduleInfo(i.module).vsn),
            to: versions.get(i.module)?.newVsn,
          },
        ]
      : [],
  );
  const removes = script.flatMap((i) => (i.op === 'remove' ? [i.module] : []));

  const suspends: UpgradePlan['suspends'] = [];
  for (const i of script) {
    if (i.op !== 'suspend') continue;
    const modules = i.modules.map((m) => (typeof m === 'string' ? m : m.module));
    const scan = await findUsers(modules);
    const seen = new Map<number, PlanProcess>();
    for (const users of scan.byModule.values()) {
      for (const u of users) {
        if (seen.has(u.pid.id)) continue;
        seen.set(u.pid.id, {
          pid: String(u.pid),
          name: behaviourOf(u.pid)?.name,
          behaviour: u.behaviour,
          application: u.application,
          supervised: u.supervised,
        });
      }
    }
    const all = [...seen.values()];
    suspends.push({
      modules,
      count: all.length,
      outsideTrees: all.filter((p) => !p.supervised).length,
      processes: all.slice(0, NAMED),
    });
  }

  // Old code purged by the install: brutal pre-purges kill, soft ones refuse.
  const purgedBrutally = new Set<string>();
  const purgedSoftly = new Set<string>();
  for (const i of script) {
    if (i.op === 'load' || i.op === 'remove')
      (i.prePurge === 'soft_purge' ? purgedSoftly : purgedBrutally).add(i.module);
    if (i.op === 'purge') for (const m of i.modules) purgedBrutally.add(m);
  }
  const old = (await findOldCode()).flatMap((r) => r.holders);
  const killedAtInstall = old.filter((h) => purgedBrutally.has(h.module)).map(holder);
  const refusedBy = old
    .filter((h) => purgedSoftly.has(h.module) && !purgedBrutally.has(h.module))
    .map(holder);

  // Code this install makes old, and who holds it.
  const post = new Map<string, string>();
  for (const i of script) if (i.op === 'load' || i.op === 'remove') post.set(i.module, i.postPurge);
  const current = (await findCurrentCodeUsers([...post.keys()])).flatMap((r) => r.holders);
  const killedAtMakePermanent = current.filter((h) => post.get(h.module) === 'brutal_purge').map(holder);
  const keepOldCode = current.filter((h) => post.get(h.module) === 'soft_purge').map(holder);

  const applies = script.flatMap((i) =>
    i.op === 'apply' ? [`${i.module}.${i.function}(${i.args.map((a) => JSON.stringify(a)).join(', ')})`] : [],
  );
  return {
    from: found.from,
    to: found.to,
    direction: found.direction,
    description: found.description,
    restart,
    script: script.map(formatInstruction),
    loads,
    removes,
    suspends,
    killedAtInstall,
    killedAtMakePermanent,
    keepOldCode,
    refusedBy,
    applies,
  };
}

/** The plan as text, for people (`bin/<rel> upgrade --dry-run`). */
export function describePlan(plan: UpgradePlan): string {
  const lines: string[] = [];
  const who = (h: PlanHolder | PlanProcess): string =>
    h.name === undefined ? h.pid : `${h.pid} (${h.name})`;
  lines.push(`${plan.direction === 'up' ? 'upgrade' : 'downgrade'} ${plan.from} -> ${plan.to}`);
  if (plan.restart !== undefined) lines.push(`  the node restarts (${plan.restart})`);
  for (const l of plan.loads) lines.push(`  load ${l.module} ${l.from ?? '(new)'} -> ${l.to ?? '?'}`);
  for (const r of plan.removes) lines.push(`  remove ${r}`);
  for (const s of plan.suspends) {
    lines.push(
      `  suspend ${s.count} process(es) using ${s.modules.join(', ')} together` +
        (s.outsideTrees > 0 ? ` (${s.outsideTrees} outside any supervision tree)` : ''),
    );
    for (const p of s.processes)
      lines.push(
        `    ${who(p)}${p.behaviour ? ` ${p.behaviour}` : ''}${p.supervised ? '' : ' (not supervised)'}`,
      );
    if (s.count > s.processes.length) lines.push(`    ... and ${s.count - s.processes.length} more`);
  }
  for (const a of plan.applies) lines.push(`  apply ${a}`);
  const holders = (title: string, list: PlanHolder[]): void => {
    if (list.length === 0) return;
    lines.push(`  ${title}:`);
    for (const h of list) {
      const what =
        h.how === 'holds'
          ? `holds a function of ${h.module} ${h.vsn} at ${h.where}`
          : `${h.how === 'running' ? 'runs' : 'was spawned in'} ${h.module} ${h.vsn}`;
      lines.push(`    ${who(h)} ${what}`);
    }
  };
  holders('refused: soft_purge and these processes still use the old code', plan.refusedBy);
  holders('killed by the install (they still use the old code it purges)', plan.killedAtInstall);
  holders(
    'killed by makePermanent unless their codeChange drops it (they hold code this install makes old)',
    plan.killedAtMakePermanent,
  );
  holders('keep the code this install makes old loaded (soft_purge)', plan.keepOldCode);
  lines.push('  script:');
  plan.script.forEach((s, i) => lines.push(`    ${String(i + 1).padStart(3)}. ${s}`));
  return lines.join('\n');
}
