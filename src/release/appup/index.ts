/** Appup authoring: typed builders and loading of `<app>.appup.json` / `<app>.appup.ts`. */
export * from './builders';
export { loadAppup, AppupSourceError } from './load';
export { withTypeScriptRequire, TypeScriptSyntaxError } from './ts-require';
