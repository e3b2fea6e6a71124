/** The application callback (relapp_app): starts the top supervisor. */
import { Supervisor, type Proc } from 'hotrel';
import * as Sup from './sup';

export function start(_type: 'normal', _args: unknown, master: Proc) {
  return Supervisor.startLink(master, Sup, undefined, { name: 'relapp_sup' });
}
