/**
 * Seed 000's two examples, run as the seed runs them: compile (`c/1`), start, recompile an
 * edited file, recompile again. The sources are real fixture files compiled and loaded by the
 * code server; the 2 s sleep is a few milliseconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  c,
  checkProcessCode,
  findOldCode,
  processCode,
  getModule,
  isAlive,
  type Pid,
  type Proc,
  type LoadResult,
} from '../../src';
import { inProcess } from '../helpers/process';
import { removeTempDirs, tempApp, type TempApp } from '../helpers/apps';

afterAll(removeTempDirs);

interface Line {
  from: Pid;
  line: string;
}

/** The next line printed by `pid` that satisfies `test` (earlier lines of it are dropped). */
async function lineFrom(self: Proc, pid: Pid, test: (line: string) => boolean): Promise<string> {
  for (;;) {
    const msg = await self.receive<Line>((m: unknown) => (m as Line).from?.equals(pid) === true);
    if (test(msg.line)) return msg.line;
  }
}

/** Edits the module's file to fixture version `v` and recompiles it, as `c(Module)` after an edit. */
async function edit(app: TempApp, module: string, v: number): Promise<LoadResult> {
  app.copy(`seed/v${v}/${module}.ts`, `${module}.ts`);
  return c(`${app.name}:${module}`);
}

function seedApp(name: string): TempApp {
  const app = tempApp(name);
  app.copy('seed/io.ts', 'io.ts');
  return app;
}

describe('seed 000: good_upgrade (loop through ?MODULE)', () => {
  it('prints the new vsn after each of three loads, and after a fourth, and survives', async () => {
    const app = seedApp('good');
    await inProcess(async (self) => {
      self.register('seed_io');
      const v1 = await edit(app, 'good_upgrade', 1);
      const pid = getModule<{ start(): Pid }>('good:good_upgrade').start();
      expect(await lineFrom(self, pid, () => true)).toBe(`{vsn,[${v1.vsn}]}`);

      const v2 = await edit(app, 'good_upgrade', 2);
      expect(v2.vsn).not.toBe(v1.vsn);
      await lineFrom(self, pid, (l) => l === `Vsn: {vsn,[${v2.vsn}]}`);
      // Its next round runs v2 only: nothing of v1 is on its stack any more.
      expect(await checkProcessCode(pid, 'good:good_upgrade')).toBe(false);
      expect(await processCode(pid)).toContainEqual(
        expect.objectContaining({ module: 'good:good_upgrade', vsn: v2.vsn, how: 'running', current: true }),
      );

      const v3 = await edit(app, 'good_upgrade', 3);
      expect(v3.purge?.killed).toBe(false);
      await lineFrom(self, pid, (l) => l === `Version: {vsn,[${v3.vsn}]}`);

      const v4 = await edit(app, 'good_upgrade', 4);
      expect(v4.purge?.killed).toBe(false);
      await lineFrom(self, pid, (l) => l === `V4 {vsn,[${v4.vsn}]}`);
      expect(isAlive(pid)).toBe(true);
    });
  });
});

describe('seed 000: bad_upgrade (local loop)', () => {
  it('keeps running its old code after the second load and is killed by the third', async () => {
    const app = seedApp('bad');
    await inProcess(async (self) => {
      self.register('seed_io');
      const v1 = await edit(app, 'bad_upgrade', 1);
      const pid = getModule<{ start(): Pid }>('bad:bad_upgrade').start();
      expect(await lineFrom(self, pid, () => true)).toBe(`{vsn,[${v1.vsn}]}`);

      const v2 = await edit(app, 'bad_upgrade', 2);
      // As in the seed: module_info is a remote call, so it reports the new vsn, but the loop
      // that prints it is still v1's code (v1's format, never v2's "Vsn:").
      const after = await lineFrom(self, pid, (l) => l.includes(v2.vsn));
      expect(after).toBe(`{vsn,[${v2.vsn}]}`);
      expect(await lineFrom(self, pid, () => true)).toBe(`{vsn,[${v2.vsn}]}`);
      expect(await checkProcessCode(pid, 'bad:bad_upgrade')).toBe(true);
      const old = await findOldCode();
      expect(old.map((o) => [String(o.pid), o.modules])).toEqual([[String(pid), ['bad:bad_upgrade']]]);
      expect(old[0]!.holders[0]).toMatchObject({ how: 'running', where: 'stack', vsn: v1.vsn });

      const ref = self.monitor(pid);
      const v3 = await edit(app, 'bad_upgrade', 3);
      expect(v3.purge?.killed).toBe(true);
      expect(v3.purge?.victims.map((v) => String(v.pid))).toEqual([String(pid)]);
      const down = await self.receive<{ type: string; reason: unknown }>({ type: 'DOWN', ref });
      expect(down.reason).toBe('killed');
      expect(isAlive(pid)).toBe(false);
    });
  });
});

describe('both examples on one node', () => {
  it('kills only the process bound to the purged version', async () => {
    const app = seedApp('both');
    await inProcess(async (self) => {
      self.register('seed_io');
      await edit(app, 'good_upgrade', 1);
      await edit(app, 'bad_upgrade', 1);
      const good = getModule<{ start(): Pid }>('both:good_upgrade').start();
      const bad = getModule<{ start(): Pid }>('both:bad_upgrade').start();
      const g2 = await edit(app, 'good_upgrade', 2);
      const b2 = await edit(app, 'bad_upgrade', 2);
      await lineFrom(self, good, (l) => l === `Vsn: {vsn,[${g2.vsn}]}`);
      await lineFrom(self, bad, (l) => l === `{vsn,[${b2.vsn}]}`);
      // Two versions of each module coexist: bad runs bad_upgrade v1, good runs good_upgrade v2.
      const report = await findOldCode();
      expect(report.map((r) => String(r.pid))).toEqual([String(bad)]);

      const badDown = self.monitor(bad);
      await edit(app, 'good_upgrade', 3); // purges good_upgrade v1: nobody runs it
      expect(isAlive(good) && isAlive(bad)).toBe(true);
      const b3 = await edit(app, 'bad_upgrade', 3); // purges bad_upgrade v1: bad runs it
      expect(b3.purge?.victims.map((v) => String(v.pid))).toEqual([String(bad)]);
      expect((await self.receive<{ reason: unknown }>({ type: 'DOWN', ref: badDown })).reason).toBe('killed');
      expect(isAlive(good)).toBe(true);
    });
  });
});
