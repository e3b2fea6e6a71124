/**
 * The code server: module versions, facades, purge and old-code detection. DESIGN.md §5.
 *
 * Application modules are compiled one file at a time to CommonJS ({@link compileModule}), loaded
 * as versions (at most two per module: current and old), and reached through facades: the
 * stable objects `import` gives other modules, onto which each new version's exports are copied.
 * Calls through a facade reach the current version (Erlang's `?MODULE:f()`); a module's calls to
 * its own functions stay in their version (Erlang's local calls). See docs/hot-code-loading.md.
 */
export { compileModule, formatDiagnostics, hasErrors, COMPILER_OPTIONS } from './compile';
export type { CompileDiagnostic, CompileOutput } from './compile';
export {
  addApplication,
  applications,
  getApplication,
  listModules,
  replaceApplicationDir,
  type Application as RegisteredApplication,
  type ApplicationSpec,
  type ModuleForm,
} from './applications';
export { CodeError, UndefError, type CodeErrorReason } from './errors';
export { describeHolders, type CodeHolder } from './holders';
export { provideHotrelModule } from './hotrel-modules';
export type { CompiledModule } from './loader';
export { MODULE_ID, UNDEF_STUB, type Facade } from './module-record';
export { parseModuleId, moduleId } from './module-id';
export {
  allLoaded,
  checkOldCode,
  checkProcessCode,
  commit,
  compileSource,
  deleteModule,
  discard,
  findCurrentCodeUsers,
  findOldCode,
  getModule,
  isExported,
  isLoaded,
  lingeringVersions,
  load,
  loadCompiled,
  loadSource,
  moduleIdOf,
  moduleInfo,
  preloadPackages,
  prepare,
  prepareAll,
  processCode,
  purge,
  removeApplication,
  revert,
  softPurge,
  versionOfFile,
  PreparedModule,
  type LoadOptions,
  type LoadResult,
  type ModuleInfo,
  type OldCodeReport,
  type ProcessCodeUse,
  type PurgeMode,
  type PurgeOptions,
  type PurgeResult,
  type SoftPurgeResult,
} from './server';
export { installStackTraces } from './stack-trace';
export { c, l, lm, mm, r } from './shell';

// Application code importing 'hotrel/code' gets this very module.
import * as codeApi from './index';
import { provideHotrelModule as provide } from './hotrel-modules';
provide('hotrel/code', () => codeApi);
