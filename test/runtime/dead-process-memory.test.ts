/** A dead process is collected at once, even if it died waiting in a receive with a timeout. */
import { describe, expect, it } from 'vitest';
import { exit, spawn } from '../../src/runtime';
import { collectGarbage } from '../../src/code/gc';
import { exitOf } from '../helpers/process';

describe('memory of dead processes', () => {
  it('frees the state of a process killed during receive(..., {after}) before the timeout fires', async () => {
    let stateRef: WeakRef<object> | undefined;
    const pid = spawn(
      async (self) => {
        const state = { big: new Array(1000).fill('x') };
        stateRef = new WeakRef(state);
        self.inspectState = () => state;
        await self.receive(() => false, { after: 3_600_000 });
      },
      { crashReport: false },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(stateRef?.deref()).toBeDefined();
    const down = exitOf(pid);
    exit(pid, 'kill');
    expect(await down).toBe('killed');
    await collectGarbage();
    expect(stateRef!.deref()).toBeUndefined();
  });
});
