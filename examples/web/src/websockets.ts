/** The supervisor of the open WebSockets: one `websocket` process each, never restarted. */
import { Supervisor, type Proc } from 'hotrel';
import * as WebSocketConn from './websocket';
import * as WebSockets from './websockets';

export function startLink(parent: Proc) {
  return Supervisor.startLink(parent, WebSockets, undefined, { name: 'web_websockets' });
}

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'simple_one_for_one',
    intensity: 100,
    period: 1,
    children: [
      {
        id: 'websocket',
        start: { module: WebSocketConn, function: 'startLink', args: [] },
        restart: 'temporary',
        shutdown: 1000,
      },
    ],
  };
}
