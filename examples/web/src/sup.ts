/**
 * The top supervisor. `rest_for_one`: the listener hands WebSockets to the websockets supervisor,
 * so it starts after it (and restarts if it does).
 */
import type { Supervisor } from 'hotrel';
import * as Listener from './listener';
import * as WebSockets from './websockets';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'rest_for_one',
    intensity: 5,
    period: 10,
    children: [
      {
        id: 'websockets',
        type: 'supervisor',
        start: { module: WebSockets, function: 'startLink', args: [] },
      },
      { id: 'listener', start: { module: Listener, function: 'startLink', args: [] } },
    ],
  };
}
