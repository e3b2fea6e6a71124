/** What the planning of one application's upgrade works with. */
import type { ModuleEntry } from '../../model/modules';
import type { AppVersion, Explained, GenerateOptions } from './types';

export interface PlanContext {
  older: AppVersion;
  newer: AppVersion;
  /** Modules of other applications this upgrade changes with generated instructions (deps may name them). */
  foreign: ReadonlySet<string>;
  options: GenerateOptions;
  warn(message: string): void;
  note(message: string): void;
}

export interface AppUpgrade {
  up: Explained[];
  down: Explained[];
}

export type Kind = 'add_module' | 'delete_module' | 'update' | 'supervisor' | 'load_module';

export interface ModulePlan {
  id: string;
  kind: Kind;
  why: string;
  /** Qualified ids. */
  deps: string[];
  entry: ModuleEntry | undefined;
}

/** `kvapp:kv_store` as written in kvapp's appup: `kv_store`. */
export function short(id: string, app: string): string {
  return id.startsWith(`${app}:`) ? id.slice(app.length + 1) : id;
}
