/**
 * Public entry point for appup authors: `import { defineAppup, update, ... } from 'hotrel/appup'`
 * in an `<app>.appup.ts`. See docs/appup-relup-format.md.
 */
export * from './release/appup/builders';
export type { AppupInput, Appup } from './model/appup';
export type { AppupInstructionInput as AppupInstruction } from './model/instructions';
export type { JsonValue } from './model/json';
export type { PurgeMethod, StartType, ModType, Timeout, Change } from './model/fields';
