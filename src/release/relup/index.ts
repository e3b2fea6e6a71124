/**
 * The relup compiler: OTP systools' translation of appups into a relup, with its exact
 * semantics (semantics.md §3-§5). Pure: no file or process access.
 */
export {
  makeRelup,
  type RelupInput,
  type RelupResult,
  type RelupOptions,
  type BaseRelease,
  type AppupSource,
} from './make-relup';
export { translateScripts, type Mode, type AppRecord, type Translation } from './translate';
export { qualifyScript, qualifyInstruction } from './qualify';
export {
  RelupError,
  RELUP_ERROR_KINDS,
  type RelupErrorKind,
  type RelupErrorContext,
  type RelupWarning,
  type DependencyChange,
  type ReleaseRef,
} from './errors';
