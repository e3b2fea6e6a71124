/**
 * What `hotrel new <name>` accepts as a name. The name becomes the npm package name, the
 * application name (module ids `<name>:counter`, `lib/<name>-<vsn>/`) and the release name
 * (`bin/<name>`), so it must be valid as all three.
 */
import { builtinModules } from 'node:module';
import { isAppName } from '../../model';

/** Lowercase (npm refuses capitals in new package names), and a valid application name. */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** Names an application cannot take: `import 'x'` from its modules would mean something else. */
const TAKEN = new Set(['hotrel', 'node_modules', 'favicon.ico', ...builtinModules]);

/** Why `name` cannot name a new project, or undefined when it can. */
export function projectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > 214) return "the name is longer than 214 characters (npm's limit)";
  if (!PROJECT_NAME.test(name) || !isAppName(name)) {
    return (
      `"${name}" is not a valid name: use lowercase letters, digits, "_", "." and "-", starting with a ` +
      'letter or a digit (it names the npm package, the application and the release)'
    );
  }
  if (TAKEN.has(name)) {
    return `"${name}" is taken (${name === 'hotrel' ? 'hotrel itself' : 'a Node.js built-in module'}); choose another name`;
  }
  return undefined;
}
