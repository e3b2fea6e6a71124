/**
 * The top supervisor (Octochat.Supervisor). `rest_for_one`: if the connections supervisor dies,
 * the acceptor is restarted after it (it hands connections to it); the acceptor alone may restart
 * without touching open connections.
 */
import type { Supervisor } from 'hotrel';
import * as Acceptor from './acceptor';
import * as Connections from './connections';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'rest_for_one',
    intensity: 5,
    period: 10,
    children: [
      {
        id: 'connections',
        type: 'supervisor',
        start: { module: Connections, function: 'startLink', args: [] },
      },
      { id: 'acceptor', start: { module: Acceptor, function: 'startLink', args: [] } },
    ],
  };
}
