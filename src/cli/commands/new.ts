/**
 * `hotrel new <name>`: scaffolds a project (an application with a GenServer, a supervisor and
 * tests, and its release configuration) that builds and runs with the commands its README shows.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { projectNameProblem } from '../scaffold/name';
import { scaffoldFiles, writeProject } from '../scaffold/project';

interface NewOptions {
  dir?: string;
  hotrel?: string;
}

interface HotrelManifest {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function register(program: Command): void {
  program
    .command('new')
    .summary('create a project: an application with a GenServer, a supervisor, tests and a release')
    .description(
      'Create a new project in ./<name> (or --dir): package.json with its hotrel section and scripts, ' +
        'tsconfig.json, src/ (application callback, supervisor, GenServer), test/, and a README with the ' +
        'commands to build, run and upgrade it. Refuses a directory that exists and is not empty.',
    )
    .argument('<name>', 'the package, application and release name (lowercase letters, digits, _ . -)')
    .option('--dir <path>', 'where to create the project (default: ./<name>)')
    .option('--hotrel <spec>', "the hotrel dependency's version or spec, e.g. file:../hotrel")
    .action((name: string, options: NewOptions) => {
      const problem = projectNameProblem(name);
      if (problem !== undefined) return fail(`${problem}. Nothing was created.`);
      const dir = path.resolve(options.dir ?? name);
      if (fs.existsSync(dir)) {
        if (!fs.statSync(dir).isDirectory()) return fail(`${dir} exists and is not a directory`);
        if (fs.readdirSync(dir).length > 0) {
          return fail(
            `${dir} exists and is not empty; hotrel new never overwrites files: choose another --dir or name`,
          );
        }
      }
      const manifest = hotrelManifest();
      const files = scaffoldFiles({
        name,
        hotrelSpec: options.hotrel ?? `^${manifest.version ?? '0.1.0'}`,
        tools: {
          typescript: manifest.dependencies?.typescript ?? '~5.9.3',
          vitest: manifest.devDependencies?.vitest ?? '^4.1.0',
          typesNode: manifest.devDependencies?.['@types/node'] ?? '^20.19.0',
        },
      });
      try {
        writeProject(dir, files);
      } catch (err) {
        return fail(`cannot write ${dir}: ${(err as Error).message}`);
      }
      const relative = path.relative(process.cwd(), dir);
      const rel = relative === '' ? '.' : relative.startsWith('..') ? dir : relative;
      process.stdout.write(
        `created ${rel}/: the application ${name} (a GenServer, a supervisor, tests) and its release\n\n` +
          `next:\n  cd ${rel}\n  npm install\n  npm test\n  npm run build && npm start\n\n` +
          `README.md shows the rest (calling the running node, stopping it, upgrading it live).\n`,
      );
    });
}

function fail(message: string): void {
  process.stderr.write(`hotrel new: ${message}\n`);
  process.exitCode = 1;
}

/** hotrel's own package.json: the project depends on this hotrel and uses its tool versions. */
function hotrelManifest(): HotrelManifest {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
    ) as HotrelManifest;
  } catch {
    return {};
  }
}
