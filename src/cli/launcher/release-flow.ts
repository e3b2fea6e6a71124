/**
 * The steps of `bin/<rel> upgrade|downgrade|install`, on the client side of the control socket:
 * unpack if needed, check, install, wait for the node to come back when the relup restarts it,
 * make permanent. Progress lines go to stderr, so that stdout carries only the result (text, or
 * JSON with `--json`).
 */
import { NodeNotRunningError } from '../../handler/control/errors';
import type { LauncherContext } from './context';

export interface ReleaseInfo {
  vsn: string;
  status: string;
}

export interface InstallAnswer {
  otherVsn: string;
  restart?: 'restart_emulator' | 'restart_new_emulator';
  suspendedMs?: number;
  suspendedProcesses: number;
  installMs: number;
  unpurged: Array<{ module: string; postPurge: string }>;
}

/** What make_permanent answers: the brutal_purge modules it purged, and whom that killed. */
export interface PermanentAnswer {
  alreadyPermanent: boolean;
  purged: string[];
  killed: string[];
}

export interface CheckAnswer {
  otherVsn: string;
  direction?: 'up' | 'down';
  warnings: string[];
  plan?: unknown;
  planText?: string;
}

/** A long default: an install of a large node, or a node restart, takes a while. */
export const LONG_MS = 10 * 60_000;

export function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

export async function versions(ctx: LauncherContext): Promise<ReleaseInfo[]> {
  return (await ctx.call('versions')) as ReleaseInfo[];
}

/** Unpacks `vsn` unless the node knows it already; returns its status. */
export async function ensureUnpacked(ctx: LauncherContext, vsn: string, timeoutMs: number): Promise<string> {
  const known = (await versions(ctx)).find((r) => r.vsn === vsn);
  if (known !== undefined) return known.status;
  progress(`unpacking releases/${ctx.name}-${vsn}.tar.gz`);
  await ctx.call('unpack', [vsn], { timeoutMs, onProgress: progress });
  return 'unpacked';
}

/**
 * Waits for the node to answer again after a restart and to run `vsn` (polling: the node is
 * away, there is nothing to watch).
 */
export async function waitForRelease(ctx: LauncherContext, vsn: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Give it the time to go down first.
  await new Promise((r) => setTimeout(r, 300));
  for (;;) {
    try {
      const list = await versions(ctx);
      if (list.some((r) => r.vsn === vsn && (r.status === 'current' || r.status === 'permanent'))) return;
    } catch (err) {
      if (
        !(err instanceof NodeNotRunningError) &&
        !/closed the control connection|ECONNRESET|EPIPE/.test(String(err))
      )
        throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the node did not come back on release ${vsn} within ${timeoutMs} ms; is it running under heart (daemon --heart)? ` +
          `Look at log/${ctx.name}.log`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface FlowOptions {
  dryRun: boolean;
  permanent: boolean;
  /** `up`/`down`: refuse a script going the other way. */
  direction: 'up' | 'down' | undefined;
  suspendTimeout: number | undefined;
  codeChangeTimeout: number | undefined;
  timeoutMs: number;
}

export interface FlowResult {
  from: string;
  to: string;
  dryRun: boolean;
  plan?: unknown;
  planText?: string;
  install?: InstallAnswer;
  permanent: boolean;
  /** make_permanent's answer (when it ran). */
  made?: PermanentAnswer;
  warnings: string[];
}

/** unpack (if needed), check, install, (wait for a restart,) make permanent. */
export async function runFlow(ctx: LauncherContext, vsn: string, o: FlowOptions): Promise<FlowResult> {
  const before = await versions(ctx);
  const running = before.find((r) => r.status === 'current') ?? before.find((r) => r.status === 'permanent');
  const from = running?.vsn ?? '?';
  const known = before.find((r) => r.vsn === vsn);
  if (known?.status === 'permanent' && running?.vsn === vsn) {
    return {
      from,
      to: vsn,
      dryRun: o.dryRun,
      permanent: true,
      warnings: [`${vsn} is already the permanent release`],
    };
  }
  if (o.dryRun && known === undefined) {
    throw new Error(
      `release ${vsn} is not unpacked yet, so there is no plan to show: run bin/${ctx.name} unpack ${vsn} first ` +
        '(it only adds files), then this again',
    );
  }
  if (!o.dryRun) await ensureUnpacked(ctx, vsn, o.timeoutMs);
  const status = known?.status ?? 'unpacked';
  let install: InstallAnswer | undefined;
  let warnings: string[] = [];
  if (status !== 'current') {
    const check = (await ctx.call('check_install', [vsn, { plan: true }], {
      timeoutMs: o.timeoutMs,
    })) as CheckAnswer;
    warnings = check.warnings;
    if (o.direction !== undefined && check.direction !== undefined && check.direction !== o.direction) {
      throw new Error(
        o.direction === 'down'
          ? `${vsn} is reached from ${from} by an upgrade (its relup goes up from ${from}): use bin/${ctx.name} upgrade ${vsn}`
          : `${vsn} is reached from ${from} by a downgrade (the relup of ${from} goes down to it): use bin/${ctx.name} downgrade ${vsn}`,
      );
    }
    if (o.dryRun)
      return {
        from,
        to: vsn,
        dryRun: true,
        plan: check.plan,
        planText: check.planText,
        permanent: false,
        warnings,
      };
    const options: Record<string, number> = {};
    if (o.suspendTimeout !== undefined) options.suspendTimeout = o.suspendTimeout;
    if (o.codeChangeTimeout !== undefined) options.codeChangeTimeout = o.codeChangeTimeout;
    install = (await ctx.call('install', [vsn, options], {
      timeoutMs: o.timeoutMs,
      onProgress: progress,
    })) as InstallAnswer;
    if (install.restart !== undefined) {
      progress(`the node restarts (${install.restart}) to run ${vsn}`);
      await waitForRelease(ctx, vsn, o.timeoutMs);
    }
  } else if (o.dryRun) {
    return {
      from,
      to: vsn,
      dryRun: true,
      permanent: false,
      warnings: [`${vsn} is installed already (current)`],
    };
  }
  const made = o.permanent
    ? ((await ctx.call('make_permanent', [vsn], { timeoutMs: o.timeoutMs })) as PermanentAnswer)
    : undefined;
  return {
    from,
    to: vsn,
    dryRun: false,
    install,
    permanent: o.permanent,
    ...(made === undefined ? {} : { made }),
    warnings,
  };
}

/** The flow's result for people. */
export function describeFlow(name: string, r: FlowResult, verb: string): string {
  if (r.dryRun) return r.planText ?? `${name}: nothing to do (${r.warnings.join('; ')})`;
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.install === undefined) {
    lines.push(`${name} ${r.to} ${r.permanent ? 'is permanent' : 'is installed'}`);
    return lines.join('\n');
  }
  const i = r.install;
  const pause =
    i.suspendedMs === undefined
      ? 'no process suspended'
      : `${i.suspendedProcesses} process(es) suspended for ${i.suspendedMs.toFixed(1)} ms`;
  lines.push(
    `${name} ${verb} ${r.from} -> ${r.to} in ${i.installMs.toFixed(0)} ms (${pause})${i.restart ? `, node restarted (${i.restart})` : ''}` +
      (r.permanent
        ? `; ${r.to} is permanent`
        : `; make it permanent with bin/${name} make_permanent ${r.to}`),
  );
  // make_permanent purged the brutal_purge modules' old code at once: only the others wait.
  const purgedNow = new Set(r.made?.purged ?? []);
  const waiting = i.unpurged.filter((u) => !purgedNow.has(u.module));
  if (purgedNow.size > 0) lines.push(`old code purged: ${[...purgedNow].join(', ')}`);
  for (const line of r.made?.killed ?? []) lines.push(`  killed (it still ran that old code): ${line}`);
  if (waiting.length > 0) {
    lines.push(
      `old code still loaded (purged later): ${waiting.map((u) => `${u.module} (${u.postPurge})`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
