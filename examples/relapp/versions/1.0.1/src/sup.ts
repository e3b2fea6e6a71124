/**
 * The top supervisor (relapp_sup), 1.0.1: a second worker, `srv2`. An upgrade starts it in the
 * running node; a downgrade stops it.
 */
import type { Supervisor } from 'hotrel';
import * as Srv from './srv';
import * as Srv2 from './srv2';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'one_for_all',
    intensity: 0,
    period: 1,
    children: [
      { id: 'srv', start: { module: Srv, function: 'startLink', args: [] } },
      { id: 'srv2', start: { module: Srv2, function: 'startLink', args: [] }, restart: 'transient' },
    ],
  };
}
