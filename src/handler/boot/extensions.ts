/**
 * What boot starts besides the applications: services of the handler layer (the release
 * handler) that also contribute control-socket commands. A service registers itself here when
 * its module is imported by `services.ts`; boot starts them in registration order once the
 * applications are up, and stops them in reverse order first when the node stops.
 */
import type { CommandHandler } from '../control/server';
import type { Release } from '../../model';

export interface BootContext {
  root: string;
  /** The release the node booted. */
  release: Release;
  /** Stops the node in order: services, applications, control socket; exits with `code`. */
  stopNode(code: number): void;
}

export interface RunningService {
  commands?: Record<string, CommandHandler>;
  stop?(): Promise<void> | void;
}

export interface BootService {
  name: string;
  start(ctx: BootContext): Promise<RunningService> | RunningService;
}

const services: BootService[] = [];

export function registerBootService(service: BootService): void {
  if (services.some((s) => s.name === service.name)) return;
  services.push(service);
}

export function bootServices(): readonly BootService[] {
  return services;
}
