/**
 * Finding the script that moves the node from the running release to a target (OTP's
 * `get_rh_script`, otp/semantics.md §7.3): first the target's relup, up from the running
 * release; else the running release's relup, down to the target. Versions are compared exactly.
 *
 * Where OTP's errors mislead (a missing up-entry reported as a missing file of the *running*
 * release, exrm #379; `no_matching_relup`, edeliver #123), the message here says which files
 * were read, which versions they cover, and what to do.
 */
import fs from 'node:fs';
import { layout, type JsonValue, type Relup, type RelupInstruction } from '../../model';
import { readModelFile } from '../../model/files';
import { ModelError } from '../../model';
import { ReleaseHandlerError } from './errors';

export interface FoundScript {
  /** The from-version of an upgrade, the target of a downgrade (OTP's OtherVsn). */
  otherVsn: string;
  description: JsonValue;
  instructions: RelupInstruction[];
  direction: 'up' | 'down';
  /** The relup.json the script came from. */
  file: string;
}

function readRelup(root: string, vsn: string): Relup | undefined {
  const file = layout.relupFile(root, vsn);
  if (!fs.existsSync(file)) return undefined;
  try {
    const relup = readModelFile('relup', file, `releases/${vsn}/relup.json`);
    if (relup.vsn !== vsn) {
      throw new ReleaseHandlerError(
        'bad_relup_file',
        `releases/${vsn}/relup.json is the relup of release ${relup.vsn}, not of ${vsn}; rebuild it with hotrel relup`,
        { file },
      );
    }
    return relup;
  } catch (err) {
    if (err instanceof ModelError) {
      throw new ReleaseHandlerError('bad_relup_file', `${err.message}\nRebuild it with hotrel relup`, {
        file,
      });
    }
    throw err;
  }
}

/** Whether release `vsn` has a relup.json at all (check_install only warns when it does not). */
export function hasRelup(root: string, vsn: string): boolean {
  return fs.existsSync(layout.relupFile(root, vsn));
}

/** The script from `latest` (the running release) to `target`. */
export function findScript(root: string, latest: string, target: string): FoundScript {
  const targetRelup = readRelup(root, target);
  const up = targetRelup?.up.find((s) => s.vsn === latest);
  if (up !== undefined) {
    return {
      otherVsn: up.vsn,
      description: up.description,
      instructions: up.instructions,
      direction: 'up',
      file: layout.relupFile(root, target),
    };
  }
  const latestRelup = readRelup(root, latest);
  const down = latestRelup?.down.find((s) => s.vsn === target);
  if (down !== undefined) {
    return {
      otherVsn: down.vsn,
      description: down.description,
      instructions: down.instructions,
      direction: 'down',
      file: layout.relupFile(root, latest),
    };
  }
  const covers = (r: Relup | undefined, which: 'up' | 'down'): string =>
    r === undefined ? 'no relup.json' : `${which} ${r[which].map((s) => s.vsn).join(', ') || 'nothing'}`;
  throw new ReleaseHandlerError(
    'no_matching_relup',
    `no script from ${latest} to ${target}: releases/${target}/relup.json has ${covers(targetRelup, 'up')} and ` +
      `releases/${latest}/relup.json has ${covers(latestRelup, 'down')} (versions must match exactly). ` +
      `Build the relup of ${target} with hotrel relup --upfrom ${latest}, and package it again`,
    { from: latest, to: target },
  );
}
