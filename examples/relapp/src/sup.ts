/**
 * The top supervisor (relapp_sup), as relapp1's: `one_for_all` with intensity 0, so any crash
 * of a child stops the application (and, the application being permanent, the node). An upgrade
 * that breaks a server is therefore seen at once.
 */
import type { Supervisor } from 'hotrel';
import * as Srv from './srv';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'one_for_all',
    intensity: 0,
    period: 1,
    children: [{ id: 'srv', start: { module: Srv, function: 'startLink', args: [] } }],
  };
}
