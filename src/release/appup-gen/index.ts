/**
 * Appup generation: from the diff of two (or more) built releases, an appup for every
 * application that changed (docs/appup-generation.md).
 */
export { generateAppups, type GenerateInput } from './generate';
export { readReleaseSet } from './read';
export { writeAppups } from './write';
export { formatReport, describeInstruction } from './format';
export { parsePurgeSpec, PurgeSpecError, type PurgeSpec } from './purge-spec';
export { GenerateError } from './errors';
export type * from './types';
