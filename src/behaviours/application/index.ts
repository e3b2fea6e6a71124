/** Application: OTP's applications and application controller. */
export {
  load,
  unload,
  start,
  ensureAllStarted,
  stop,
  stopAll,
  whichApplications,
  loadedApplications,
  getSpec,
  topSupervisor,
  startTypeOf,
  startOrder,
  changeApplicationData,
  type ApplicationResult,
} from './controller';
export { getEnv, getAllEnv, setEnv, unsetEnv } from './env';
export { prepConfigChange, configChange, diffEnv, type EnvSnapshot, type ConfigDiff } from './config-change';
export { onNodeStop, onApplicationExit, type NodeStopEvent, type ApplicationExitEvent } from './events';
export {
  supervisedProcesses,
  processesUsing,
  unsupervisedBehaviourProcesses,
  type ModuleUser,
  type ProcessScan,
} from './processes';
export {
  ApplicationSpecError,
  specFromApp,
  type ApplicationSpec,
  type ApplicationModule,
  type ApplicationStartReturn,
  type StartType,
} from './spec';
export { NotLoadedError } from './registry';
