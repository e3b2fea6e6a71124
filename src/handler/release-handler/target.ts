/**
 * What the evaluator needs about the release being installed, read from its files: libraries,
 * application descriptions, configuration, where its packages live; and the install options,
 * checked as OTP checks them (`{illegal_option, Opt}` for anything else).
 */
import fs from 'node:fs';
import path from 'node:path';
import { layout, ModelError, type App, type Release, type ReleaseConfig } from '../../model';
import { readModelFile } from '../../model/files';
import { describeError, ReleaseHandlerError } from './errors';
import type { EvalContext, EvalOptions, TargetLib } from './evaluator/context';
import type { KnownRelease } from './releases';

/** Options of `install` (OTP's `suspend_timeout`, `code_change_timeout`): ms > 0 or `"infinity"`. */
export interface InstallOptions {
  suspendTimeout?: number | 'infinity';
  codeChangeTimeout?: number | 'infinity';
}

const OPTION_NAMES = ['suspendTimeout', 'codeChangeTimeout'] as const;

export function checkInstallOptions(options: unknown): EvalOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ReleaseHandlerError(
      'illegal_option',
      `install options are an object such as {"suspendTimeout": 10000}, got ${JSON.stringify(options)}`,
    );
  }
  const out: EvalOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new ReleaseHandlerError(
        'illegal_option',
        `unknown install option ${JSON.stringify(key)}: the options are ${OPTION_NAMES.join(' and ')}`,
        { option: key },
      );
    }
    if (value === undefined) continue;
    const ms = value === 'infinity' ? Infinity : value;
    if (typeof ms !== 'number' || !(ms === Infinity || (Number.isSafeInteger(ms) && ms > 0))) {
      throw new ReleaseHandlerError(
        'illegal_option',
        `${key} must be a number of milliseconds > 0 or "infinity", got ${JSON.stringify(value)}`,
        { option: key },
      );
    }
    out[key as (typeof OPTION_NAMES)[number]] = ms;
  }
  return out;
}

function readFile<K extends 'release' | 'app' | 'config'>(
  kind: K,
  file: string,
  root: string,
  vsn: string,
): K extends 'release' ? Release : K extends 'app' ? App : ReleaseConfig {
  try {
    return readModelFile(kind, file, path.relative(root, file)) as never;
  } catch (err) {
    throw new ReleaseHandlerError(
      'bad_release',
      `release ${vsn} is incomplete or damaged: ${err instanceof ModelError ? err.message : describeError(err)}; unpack its package again`,
      { vsn, file },
    );
  }
}

/** The release description of `vsn`, as on disk. */
export function readRelease(root: string, vsn: string): Release {
  return readFile('release', layout.releaseFile(root, vsn), root, vsn);
}

/** The evaluation context for installing `target` over `latest`. */
export function evalContextFor(
  root: string,
  target: KnownRelease,
  latest: KnownRelease,
  options: EvalOptions,
  progress: (line: string) => void,
): EvalContext {
  const release = readRelease(root, target.vsn);
  const libs = new Map<string, TargetLib>(
    target.libs.map((l) => [l.app, { vsn: l.vsn, dir: path.resolve(root, l.dir) }]),
  );
  const before = new Map(latest.libs.map((l) => [l.app, l.vsn]));
  const newLibs = new Set(target.libs.filter((l) => before.get(l.app) !== l.vsn).map((l) => l.app));
  const apps = new Map<string, App>();
  for (const a of release.apps) {
    const lib = libs.get(a.name);
    const dir = lib?.dir ?? layout.libDir(root, a.name, a.vsn);
    if (!fs.existsSync(dir)) {
      throw new ReleaseHandlerError(
        'bad_release',
        `release ${target.vsn} is incomplete: ${path.relative(root, dir)} is missing; unpack its package again`,
        { vsn: target.vsn, dir },
      );
    }
    apps.set(a.name, readFile('app', path.join(dir, `${a.name}.app.json`), root, target.vsn));
  }
  const configFile = layout.configFile(root, target.vsn);
  const config = fs.existsSync(configFile) ? readFile('config', configFile, root, target.vsn) : {};
  return {
    root,
    target: target.vsn,
    libs,
    newLibs,
    packagesFrom: release.depsDir === undefined ? undefined : path.join(root, 'lib', release.depsDir),
    apps,
    config,
    options,
    progress,
  };
}
