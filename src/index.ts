/**
 * hotrel: Erlang/OTP-style releases and live hot code upgrades for TypeScript on Node.js.
 *
 * The package's root module: the process runtime, the code server and the behaviours. (Layers
 * above add their exports here as they land.)
 */
export * from './runtime';
export * from './code';
export * from './behaviours';
// Both layers name the facade key (the same `Symbol.for('hotrel.module')`).
export { MODULE_ID } from './code';

// Application code importing 'hotrel' gets this very module (one hotrel per Node process).
import * as hotrel from './index';
import { provideHotrelModule } from './code';
provideHotrelModule('hotrel', () => hotrel);
