/**
 * Module identity (shared contract): `<app>:<relpath>`, where relpath is the source file's path
 * under its application's source root, with `/` separators and no extension.
 */
import { CodeError } from './errors';

export interface ModuleName {
  app: string;
  relpath: string;
}

/** Splits `kvapp:workers/pool` into its application and relative path, or throws `badarg`. */
export function parseModuleId(id: unknown): ModuleName {
  if (typeof id !== 'string') {
    throw new CodeError('badarg', `a module id is a string of the form <app>:<relpath>, got ${typeof id}`);
  }
  const colon = id.lastIndexOf(':');
  if (colon <= 0 || colon === id.length - 1) {
    throw new CodeError(
      'badarg',
      `'${id}' is not a module id: module ids have the form <app>:<relpath> (for example kvapp:kv_worker)`,
    );
  }
  const app = id.slice(0, colon);
  const relpath = id.slice(colon + 1);
  checkRelpath(relpath, id);
  return { app, relpath };
}

export function moduleId(app: string, relpath: string): string {
  return `${app}:${relpath}`;
}

function checkRelpath(relpath: string, id: string): void {
  const parts = relpath.split('/');
  if (
    relpath.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..') ||
    relpath.includes('\\')
  ) {
    throw new CodeError(
      'badarg',
      `'${id}': the part after ':' is a path relative to the application's source root, with '/' separators (for example kvapp:workers/pool)`,
    );
  }
  if (/\.(ts|js|mjs|cjs|mts|cts)$/.test(relpath)) {
    throw new CodeError(
      'badarg',
      `'${id}': a module id has no file extension (write ${id.replace(/\.[a-z]+$/, '')})`,
    );
  }
}
