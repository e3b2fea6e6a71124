/**
 * The files of a new project (`hotrel new`), as relative path -> contents, and writing them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readme } from './readme';
import { appSource, counterSource, counterTest, supSource } from './sources';

export interface ScaffoldOptions {
  name: string;
  /** The `hotrel` dependency's version range or spec (`^0.1.0`, `file:../hotrel`). */
  hotrelSpec: string;
  /** Versions of the dev tools the project uses, so it builds with what hotrel is tested with. */
  tools: { typescript: string; vitest: string; typesNode: string };
}

export function scaffoldFiles(o: ScaffoldOptions): Record<string, string> {
  const bin = `_build/rel/${o.name}/bin/${o.name}`;
  const pkg = {
    name: o.name,
    version: '1.0.0',
    description: `${o.name}: a hotrel service`,
    private: true,
    scripts: {
      build: 'hotrel release',
      test: 'tsc --noEmit && vitest run',
      start: `${bin} daemon`,
      stop: `${bin} stop`,
      console: `${bin} remote_console`,
    },
    dependencies: { hotrel: o.hotrelSpec },
    devDependencies: {
      '@types/node': o.tools.typesNode,
      typescript: o.tools.typescript,
      vitest: o.tools.vitest,
    },
    hotrel: {
      app: { mod: 'app', registered: ['counter', `${o.name}_sup`] },
      release: {},
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'node16',
      moduleResolution: 'node16',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ['src', 'test'],
  };
  return {
    'package.json': json(pkg),
    'tsconfig.json': json(tsconfig),
    '.gitignore': 'node_modules/\n_build/\n',
    'README.md': readme(o.name),
    'src/app.ts': appSource(o.name),
    'src/sup.ts': supSource(),
    'src/counter.ts': counterSource(),
    'test/counter.test.ts': counterTest(),
  };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes `files` into `dir`, which must not exist or be empty. Everything is written into a
 * sibling directory first and renamed into place, so a failure leaves nothing half-made.
 */
export function writeProject(dir: string, files: Record<string, string>): void {
  const target = path.resolve(dir);
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.hotrel-new-${process.pid}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    if (fs.existsSync(target)) fs.rmdirSync(target); // empty (checked by the caller): rmdir says so if not
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
