/** The top supervisor: one child, the store. */
import type { Supervisor } from 'hotrel';
import * as KV from './kv';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'one_for_one',
    intensity: 5,
    period: 10,
    children: [{ id: 'kv', start: { module: KV, function: 'startLink', args: [] } }],
  };
}
