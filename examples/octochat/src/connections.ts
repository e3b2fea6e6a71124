/**
 * The connections supervisor (Octochat.ServerSupervisor): one Echo server per open connection,
 * started by the acceptor. `temporary`: a connection that ends is not restarted.
 */
import { Supervisor, type Proc } from 'hotrel';
import * as Connections from './connections';
import * as Echo from './echo';

export function startLink(parent: Proc) {
  return Supervisor.startLink(parent, Connections, undefined, { name: 'octochat_connections' });
}

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'simple_one_for_one',
    intensity: 100,
    period: 1,
    children: [
      {
        id: 'echo',
        start: { module: Echo, function: 'startLink', args: [] },
        restart: 'temporary',
        shutdown: 1000,
      },
    ],
  };
}
