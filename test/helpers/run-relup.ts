/**
 * A test stand-in for the release handler (issue 8): boots a built release in this process and
 * runs relup scripts with the code server and sys, instruction by instruction, the way
 * release_handler_1 evaluates them (otp/semantics.md §6). Only what the generated appups of the
 * appup tests need: it proves that a generated plan, compiled by the real relup compiler, does
 * what it says on live processes. It is not the release handler (no rollback, no checks).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  addApplication,
  Application,
  commit,
  deleteModule,
  getModule,
  isLoaded,
  moduleInfo,
  prepare,
  purge,
  replaceApplicationDir,
  Supervisor,
  sys,
  type Pid,
  type PreparedModule,
} from '../../src';
import { findApplication } from '../../src/code/applications';
import { layout, parseModel, type App, type Release, type RelupInstruction } from '../../src/model';
import { specFromApp } from '../../src/behaviours/application/spec';

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readRelease(root: string, vsn: string): Release {
  return parseModel('release', readJson(layout.releaseFile(root, vsn)), 'release.json');
}

function readApp(root: string, name: string, vsn: string): App {
  return parseModel('app', readJson(layout.appFile(root, name, vsn)), 'app.json');
}

/** Registers, loads and starts (temporary) every application of release `vsn`. */
export async function bootRelease(root: string, vsn: string): Promise<void> {
  const release = readRelease(root, vsn);
  for (const entry of release.apps) await startApp(root, entry.name, entry.vsn);
}

async function startApp(root: string, name: string, vsn: string): Promise<void> {
  const app = readApp(root, name, vsn);
  const dir = layout.libDir(root, name, vsn);
  if (findApplication(name) === undefined) addApplication({ name, dir, form: 'js', main: app.main });
  else replaceApplicationDir(name, dir, 'js');
  const loaded = Application.load(specFromApp(app, (id) => getModule(id) as never));
  if (loaded.kind !== 'ok') throw new Error(`load ${name}: ${JSON.stringify(loaded)}`);
  const started = await Application.start(name, 'temporary');
  if (started.kind !== 'ok')
    throw new Error(`start ${name}: ${String((started as { reason?: unknown }).reason)}`);
}

/** Runs the relup section of release `target` up from (or down to) `other`. */
export async function runRelup(
  root: string,
  target: string,
  direction: 'up' | 'down',
  other: string,
): Promise<void> {
  const relup = parseModel('relup', readJson(layout.relupFile(root, target)), 'relup.json');
  const section = relup[direction].find((s) => s.vsn === other);
  if (section === undefined) throw new Error(`relup ${target} has no ${direction} section for ${other}`);
  const to = direction === 'up' ? target : other;
  await runScript(root, to, section.instructions);
}

async function runScript(
  root: string,
  toRelease: string,
  script: readonly RelupInstruction[],
): Promise<void> {
  const prepared = new Map<string, PreparedModule>();
  const suspended = new Map<string, { pids: Pid[]; vsn: string }>();
  const release = readRelease(root, toRelease);
  for (const instr of script) {
    switch (instr.op) {
      case 'load_object_code':
        replaceApplicationDir(instr.app, layout.libDir(root, instr.app, instr.vsn), 'js');
        for (const m of instr.modules) prepared.set(m, prepare(m));
        break;
      case 'point_of_no_return':
        break;
      case 'suspend':
        for (const entry of instr.modules) {
          const module = typeof entry === 'string' ? entry : entry.module;
          const users = (await Application.processesUsing(module)).processes.map((p) => p.pid);
          for (const pid of users) await sys.suspend(pid);
          suspended.set(module, { pids: users, vsn: isLoaded(module) ? moduleInfo(module).vsn : '' });
        }
        break;
      case 'load': {
        const p = prepared.get(instr.module);
        if (p === undefined) throw new Error(`load ${instr.module} without load_object_code`);
        await commit(p, { purge: instr.prePurge === 'soft_purge' ? 'soft' : 'brutal' });
        break;
      }
      case 'code_change':
        for (const { module, extra } of instr.modules) {
          const s = suspended.get(module);
          const oldVsn = instr.mode === 'up' ? s?.vsn : { down: prepared.get(module)?.vsn };
          for (const pid of s?.pids ?? []) {
            const result = await sys.changeCode(pid, getModule(module), oldVsn, extra);
            if (result.kind !== 'ok')
              throw new Error(`code_change ${module}: ${String((result as { reason?: unknown }).reason)}`);
          }
        }
        break;
      case 'resume':
        for (const module of instr.modules) {
          for (const pid of suspended.get(module)?.pids ?? []) await sys.resume(pid);
          suspended.delete(module);
        }
        break;
      case 'remove':
        if (!deleteModule(instr.module)) {
          await purge(instr.module);
          deleteModule(instr.module);
        }
        break;
      case 'purge':
        await purge(instr.modules);
        break;
      case 'apply':
        await apply(root, release, instr);
        break;
      default:
        throw new Error(`the test stand-in does not run ${instr.op}`);
    }
  }
}

async function apply(
  root: string,
  release: Release,
  instr: Extract<RelupInstruction, { op: 'apply' }>,
): Promise<void> {
  const [first, second] = instr.args as [string, string];
  if (instr.module === 'application') {
    if (instr.function === 'start') {
      const entry = release.apps.find((a) => a.name === first)!;
      await startApp(root, first, entry.vsn);
    } else if (instr.function === 'stop') await Application.stop(first);
    else if (instr.function === 'unload') Application.unload(first);
    return;
  }
  if (instr.module === 'supervisor') {
    const fn = {
      restart_child: 'restartChild',
      terminate_child: 'terminateChild',
      delete_child: 'deleteChild',
    }[instr.function] as 'restartChild' | 'terminateChild' | 'deleteChild';
    await Supervisor[fn](first, second);
    return;
  }
  const target = getModule<Record<string, (...a: unknown[]) => unknown>>(instr.module);
  await target[instr.function]!(...instr.args);
}

/** Where the lib directory of an application of a release root is, for assertions. */
export function libDir(root: string, app: string, vsn: string): string {
  return path.relative(root, layout.libDir(root, app, vsn));
}
