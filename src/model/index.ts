/**
 * The shared data model of releases on disk (DESIGN.md §6): applications, appups, releases,
 * relups, RELEASES and start files, their zod schemas and the validator. Pure: disk access lives
 * in `./files` (import it explicitly), so that pure code stays pure.
 */
export type { JsonValue } from './json';
export { isJsonValue, jsonEqual, show } from './json';
export * from './names';
export {
  PURGE_METHODS,
  START_TYPES,
  MOD_TYPES,
  CODE_CHANGE_MODES,
  type PurgeMethod,
  type StartType,
  type ModType,
  type Timeout,
  type Change,
  type CodeChangeMode,
} from './fields';
export * from './instructions';
export * from './version-key';
export * from './app';
export * from './appup';
export * from './release';
export * from './relup';
export * from './releases-file';
export * from './start';
export * from './config';
export * from './modules';
export * from './state-shape';
export * from './upgrade-attributes';
export * from './upgrade-extra';
export * from './package-manifest';
export * from './validate';
export * from './start-order';
export * from './layout';
export * from './format';
export * from './version-order';
