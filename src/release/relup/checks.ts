/**
 * Checks of hand-written low-level parts of appups (systools_rc:check_script, semantics.md §4.1
 * step 6): loads need object code, suspends and resumes pair up, stops and starts pair up.
 */
import { RelupError, quoteList, type RelupWarning } from './errors';
import type { Instr } from './expanded';
import { difference } from './script';

export function checkScript(before: readonly Instr[], after: readonly Instr[]): RelupWarning[] {
  checkLoad(before, after);
  const warnings = checkSuspendResume(after);
  checkStartStop(after);
  return warnings;
}

/** Every `load` after the point of no return needs a load_object_code listing its module. */
function checkLoad(before: readonly Instr[], after: readonly Instr[]): void {
  const withCode = new Set(before.flatMap((i) => (i.op === 'load_object_code' ? i.modules : [])));
  for (const instr of after) {
    if (instr.op === 'load' && !withCode.has(instr.module)) {
      throw new RelupError(
        'no_object_code',
        `${JSON.stringify(instr.module)} is loaded but no load_object_code reads its code first; ` +
          `add {"op": "load_object_code", ...} listing it, or use {"op": "load_module", "module": ${JSON.stringify(instr.module)}}`,
        { module: instr.module },
      );
    }
  }
}

function checkSuspendResume(after: readonly Instr[]): RelupWarning[] {
  const suspended = after.flatMap((i) =>
    i.op === 'suspend' ? i.modules.map((m) => (typeof m === 'string' ? m : m.module)) : [],
  );
  const resumed = after.flatMap((i) => (i.op === 'resume' ? i.modules : []));
  const notResumed = difference(suspended, resumed);
  if (notResumed.length > 0) {
    throw new RelupError(
      'suspended_not_resumed',
      `${quoteList(notResumed)} ${notResumed.length > 1 ? 'are' : 'is'} suspended but never resumed, which would ` +
        'leave their processes frozen; add a resume instruction for them',
      { modules: notResumed },
    );
  }
  const notSuspended = difference(resumed, suspended);
  if (notSuspended.length > 0) {
    throw new RelupError(
      'resumed_not_suspended',
      `${quoteList(notSuspended)} ${notSuspended.length > 1 ? 'are' : 'is'} resumed but never suspended; ` +
        'add a suspend instruction before the code change, or drop the resume',
      { modules: notSuspended },
    );
  }
  // OTP means to refuse a code_change of a module that is not suspended, but its pattern never
  // matches (semantics.md §4.1 step 6), so such scripts pass. hotrel keeps them passing, and warns:
  // the release handler only converts suspended processes, so the code_change would do nothing.
  const changed = after.flatMap((i) => (i.op === 'code_change' ? i.modules.map((m) => m.module) : []));
  const notSuspendedChanged = [...new Set(difference(changed, suspended))];
  if (notSuspendedChanged.length === 0) return [];
  return [
    {
      kind: 'code_change_not_suspended',
      modules: notSuspendedChanged,
      message:
        `code_change of ${quoteList(notSuspendedChanged)} without a suspend of ${notSuspendedChanged.length > 1 ? 'them' : 'it'}: ` +
        'only suspended processes are converted, so it does nothing; suspend them first, or use an update instruction',
    },
  ];
}

function checkStartStop(after: readonly Instr[]): void {
  const start = after.flatMap((i) => (i.op === 'start' ? i.modules : []));
  const stop = after.flatMap((i) => (i.op === 'stop' ? i.modules : []));
  const notStopped = difference(start, stop);
  if (notStopped.length > 0) {
    throw new RelupError(
      'start_not_stop',
      `${quoteList(notStopped)} ${notStopped.length > 1 ? 'are' : 'is'} started but never stopped; ` +
        'start only restarts what a stop instruction terminated, so add the stop or drop the start',
      { modules: notStopped },
    );
  }
  const notStarted = difference(stop, start);
  if (notStarted.length > 0) {
    throw new RelupError(
      'stop_not_start',
      `${quoteList(notStarted)} ${notStarted.length > 1 ? 'are' : 'is'} stopped but never started again, which ` +
        'would leave their processes terminated; add a start instruction for them',
      { modules: notStarted },
    );
  }
}
