/**
 * The validator of every file of the model. Errors name the file, the JSON path to the offending
 * value and what is allowed there, e.g.
 * `kvapp.appup.json: up["1.0.0"][2].prePurge: expected "soft_purge" or "brutal_purge", got "soft"`.
 * Issues inside an instruction also carry the OTP error atom systools would have returned
 * (`bad_purge_method` above).
 */
import type { z } from 'zod';
import { appSchema, type App } from './app';
import { appupHooksSchema, appupSchema, type Appup, type AppupHooks } from './appup';
import { FIELDS_BY_OP, instructionErrorKind, type InstructionErrorKind } from './instructions';
import { releaseSchema, type Release } from './release';
import { releasesFileSchema, type ReleasesFile } from './releases-file';
import { relupSchema, type Relup } from './relup';
import { startSchema, type Start } from './start';
import { configSchema, type ReleaseConfig } from './config';
import { modulesFileSchema, type ModulesFile } from './modules';
import { packageManifestSchema, type PackageManifest } from './package-manifest';
import { choices } from './fields';

/** The files of a release root, by what they hold. */
export interface ModelFiles {
  app: App;
  appup: Appup;
  appupHooks: AppupHooks;
  release: Release;
  relup: Relup;
  releases: ReleasesFile;
  start: Start;
  config: ReleaseConfig;
  modules: ModulesFile;
  manifest: PackageManifest;
}
export type ModelFileKind = keyof ModelFiles;

const SCHEMAS: { [K in ModelFileKind]: z.ZodType<ModelFiles[K]> } = {
  app: appSchema,
  appup: appupSchema,
  appupHooks: appupHooksSchema,
  release: releaseSchema,
  relup: relupSchema,
  releases: releasesFileSchema,
  start: startSchema,
  config: configSchema as z.ZodType<ReleaseConfig>,
  modules: modulesFileSchema,
  manifest: packageManifestSchema,
};

export interface ModelIssue {
  /** Path to the offending value inside the file. */
  path: PropertyKey[];
  /** The path as text: `up["1.0.0"][2].prePurge` (empty for the whole file). */
  where: string;
  /** What is allowed there and what was found. */
  message: string;
  /** For issues inside an instruction: the OTP error atom (systools_rc:check_op). */
  kind?: InstructionErrorKind;
}

/** A file of the model that does not hold what it should. The message lists every issue. */
export class ModelError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ModelIssue[],
  ) {
    const lines = issues.slice(0, 20).map((i) => `${file}: ${i.where ? `${i.where}: ` : ''}${i.message}`);
    if (issues.length > 20) lines.push(`${file}: ... and ${issues.length - 20} more issues`);
    super(lines.join('\n'));
    this.name = 'ModelError';
  }
}

/** Validates `value` as a file of `kind`; returns it typed with defaults filled in, or throws ModelError. */
export function parseModel<K extends ModelFileKind>(kind: K, value: unknown, file: string): ModelFiles[K] {
  const result = SCHEMAS[kind].safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ModelError(file, describeIssues(kind, result.error.issues, value));
}

/** Parses JSON text and validates it as a file of `kind`. */
export function parseModelText<K extends ModelFileKind>(kind: K, text: string, file: string): ModelFiles[K] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelError(file, [
      { path: [], where: '', message: `invalid JSON: ${(error as Error).message}` },
    ]);
  }
  return parseModel(kind, value, file);
}

/** Renders a path as `up["1.0.0"][2].prePurge`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Where instruction lists sit in each kind of file: the length of the path prefix up to an instruction. */
function instructionDepth(kind: ModelFileKind, path: readonly PropertyKey[]): number | undefined {
  if (
    (kind === 'appup' || kind === 'appupHooks') &&
    (path[0] === 'up' || path[0] === 'down') &&
    typeof path[2] === 'number'
  )
    return 3;
  if (kind === 'relup' && path[2] === 'instructions' && typeof path[3] === 'number') return 4;
  return undefined;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssues(
  kind: ModelFileKind,
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
): ModelIssue[] {
  return issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const op = (valueAt(root, path) as { op?: unknown } | undefined)?.op;
      const allowed = typeof op === 'string' ? FIELDS_BY_OP[op] : undefined;
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      message =
        allowed !== undefined && instructionDepth(kind, path) === path.length
          ? `unknown field ${keys} in a "${String(op)}" instruction; allowed: ${choices(allowed)}`
          : `unknown field ${keys}`;
    }
    const out: ModelIssue = { path, where: formatPath(path), message };
    const depth = instructionDepth(kind, path);
    if (depth !== undefined) {
      const op = (valueAt(root, path.slice(0, depth)) as { op?: unknown } | undefined)?.op;
      out.kind = instructionErrorKind(typeof op === 'string' ? op : undefined, path.slice(depth));
    }
    return out;
  });
}
