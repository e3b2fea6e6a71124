/** Upgrade packages (`hotrel tar`): slim or full, with a manifest, reproducible. */
export { makePackage, type PackageOptions, type PackageResult } from './make-package';
export { packageContents, type PackageContents } from './contents';
export { writeTarGz, ENTRY_MTIME } from './tar-writer';
export { PackageError } from './errors';
