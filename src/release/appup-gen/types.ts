/** The appup generator's inputs, options and report. */
import type { App } from '../../model/app';
import type { Appup, AppupHooks, AppupInput } from '../../model/appup';
import type { AppupInstructionInput } from '../../model/instructions';
import type { ModuleEntry } from '../../model/modules';
import type { Release } from '../../model/release';
import type { PurgeSpec } from './purge-spec';

/** One application version as built into a release root: what the generator reads of it. */
export interface AppVersion {
  name: string;
  vsn: string;
  app: App;
  /** Module entries of `<app>.modules.json` by module id (empty when the file is missing). */
  modules: Record<string, ModuleEntry>;
  /** Why there is no usable modules.json, if so: every module then counts as changed. */
  modulesProblem: string | undefined;
  /**
   * The identity of each module's code: the recorded hash, checked against the compiled file
   * when it is there (a file that no longer matches its record counts by what is on disk).
   */
  identity: Record<string, { hash: string | undefined; note?: string }>;
  /** The appup already in the lib directory, if any. */
  appup: Appup | undefined;
  /** `<app>.appup.pre.json` / `.post.json`, if the application has them. */
  pre: AppupHooks | undefined;
  post: AppupHooks | undefined;
  /** The lib directory, relative to its release root (`lib/kvapp-1.0.1`), for messages. */
  dir: string;
}

/** A release root's releases and the application versions they use. */
export interface ReleaseSet {
  root: string;
  releases: Map<string, Release>;
  /** By `<app>@<vsn>`. */
  apps: Map<string, AppVersion>;
}

export interface GenerateOptions {
  /** Per-module purge methods (`--purge`). */
  purge?: PurgeSpec;
  /** Applications to restart instead of upgrading module by module (restart_application both ways). */
  restart?: readonly string[];
}

/** One generated instruction with the reason it is there. */
export interface Explained {
  instruction: AppupInstructionInput;
  why: string;
}

/** What was decided for one from-version of one application. */
export interface FromVersionPlan {
  vsn: string;
  /** The base releases that have this application version. */
  releases: string[];
  up: Explained[];
  down: Explained[];
}

export type AppAction =
  | 'generated' // a new appup was generated
  | 'hand-written' // an appup without "generated" was found and kept
  | 'added' // new in the release: the relup adds it
  | 'removed' // gone from the release: the relup removes it
  | 'unchanged'; // same version in every base release

export interface AppPlan {
  app: string;
  vsn: string;
  action: AppAction;
  /** The appup that will be (or is) in force, for generated and hand-written ones. */
  appup?: AppupInput | Appup;
  /** Where it is written (relative to the release root). */
  file?: string;
  from: FromVersionPlan[];
  notes: string[];
}

export interface GenerateResult {
  target: Release;
  /** The base releases considered, oldest first. */
  bases: string[];
  apps: AppPlan[];
  warnings: string[];
}
