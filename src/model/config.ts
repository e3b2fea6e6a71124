/**
 * `releases/<vsn>/config.json`: the configuration of one release (OTP's `sys.config`): for each
 * application, env keys that override the defaults of its `<app>.app.json`.
 */
import { z } from 'zod';
import { appName, json } from './fields';
import type { JsonValue } from './json';

export const configSchema = z.record(appName, z.record(z.string(), json), {
  error: () => 'expected an object mapping application names to env objects, e.g. {"kvapp": {"port": 8080}}',
});

export type ReleaseConfig = Record<string, Record<string, JsonValue>>;
