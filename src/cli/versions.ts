/** Ordering release versions: see model/version-order.ts (shared with the build side). */
export { compareVersions } from '../model/version-order';
