/**
 * Seed 000's shell session, replayed with hotrel's dev loop: compile a module, start its loop,
 * edit it and compile it again, twice. good_upgrade's loop calls itself through the module and
 * moves to each new version; bad_upgrade's loop calls itself locally, stays in its first version,
 * and is killed when the third version is loaded (only two versions of a module may exist).
 *
 *   npm run session                         (here, after npm install)
 *   SEED_SLEEP_MS=2000 npm run session      (the seed's pace; default 500 ms)
 *
 * The sources are copied to a temporary directory; an "edit" copies a file of versions/1.0.1 or
 * versions/1.0.2 over the copy, as the seed's author edited the file between two `c/1` calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addApplication,
  c,
  findOldCode,
  getModule,
  isDownMessage,
  spawn,
  type DownMessage,
  type Pid,
  type Proc,
  watch,
} from 'hotrel';

process.env.SEED_SLEEP_MS ??= '500';
const LINES_PER_STEP = 2;

interface Line {
  from: Pid;
  line: string;
}
type Loop = { start(): Pid };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-upgrades-'));
fs.cpSync(path.join(__dirname, 'src'), path.join(work, 'src'), { recursive: true });
addApplication({ name: 'seed', dir: path.join(work, 'src'), form: 'ts' });

let prompt = 0;
function input(text: string, comment = ''): void {
  console.log(`${++prompt}> ${text}${comment === '' ? '' : `   // ${comment}`}`);
}

/** The seed's edit between two compiles: the module's file becomes `version`'s. */
function edit(module: string, version: string): void {
  fs.copyFileSync(
    path.join(__dirname, 'versions', version, 'src', `${module}.ts`),
    path.join(work, 'src', `${module}.ts`),
  );
}

/** `c(module)`, printed as the shell prints it. */
async function compile(module: string, note: string): Promise<string> {
  input(`await c('seed:${module}')`, note);
  const loaded = await c(`seed:${module}`);
  const killed = loaded.purge?.victims.map((v) => String(v.pid)) ?? [];
  console.log(
    `{ module: '${loaded.module}', vsn: '${loaded.vsn}'${killed.length ? `, killed: [${killed}]` : ''} }`,
  );
  return loaded.vsn;
}

/** Prints what `pid` prints, until it has printed LINES_PER_STEP lines that mention `vsn`. */
async function watchLines(self: Proc, pid: Pid, vsn: string): Promise<void> {
  for (let seen = 0; seen < LINES_PER_STEP;) {
    const { line } = await self.receive<Line>((m: unknown) => (m as Line).from?.equals(pid) === true);
    console.log(line);
    if (line.includes(vsn)) seen++;
  }
}

async function goodUpgrade(self: Proc): Promise<Pid> {
  console.log('--- Example 1 - A Successful Upgrade ---');
  const v1 = await compile('good_upgrade', 'version 1.0.0');
  input(`mod('seed:good_upgrade').start()`);
  const pid = getModule<Loop>('seed:good_upgrade').start();
  console.log(String(pid));
  await watchLines(self, pid, v1);
  edit('good_upgrade', '1.0.1');
  await watchLines(self, pid, await compile('good_upgrade', 'edited: prints "Vsn:"'));
  edit('good_upgrade', '1.0.2');
  await watchLines(self, pid, await compile('good_upgrade', 'edited: prints "Version:"'));
  return pid;
}

async function badUpgrade(self: Proc): Promise<Pid> {
  console.log('--- Example 2 - Upgrade Failure ---');
  const v1 = await compile('bad_upgrade', 'version 1.0.0');
  input(`mod('seed:bad_upgrade').start()`);
  const pid = getModule<Loop>('seed:bad_upgrade').start();
  console.log(String(pid));
  await watchLines(self, pid, v1);
  edit('bad_upgrade', '1.0.1');
  // The loop is still version 1.0.0's code: it prints the new vsn (module_info is a call through
  // the module) in the old format (the loop's own code), never version 1.0.1's "Vsn:".
  await watchLines(self, pid, await compile('bad_upgrade', 'edited: prints "Vsn:"'));
  input('await findOldCode()', "the seed's find_old_code(): who still runs old code?");
  for (const o of await findOldCode()) {
    console.log(`${String(o.pid)} runs old code of ${o.modules.join(', ')} (${o.holders[0]?.how ?? ''})`);
  }
  input(`self.monitor(${String(pid)})`);
  const ref = self.monitor(pid);
  edit('bad_upgrade', '1.0.2');
  await compile('bad_upgrade', 'edited: prints "Version:"; loading it purges 1.0.0');
  input('flush()');
  const down = await self.receive<DownMessage>((m: unknown) => isDownMessage(m) && m.ref.equals(ref));
  console.log(
    `Shell got {'DOWN', ${String(down.ref)}, process, ${String(down.pid)}, ${String(down.reason)}}`,
  );
  return pid;
}

const session = spawn(
  async (self) => {
    const good = await goodUpgrade(self);
    const bad = await badUpgrade(self);
    console.log('---');
    console.log(`good_upgrade ${String(good)}: alive, running version 1.0.2`);
    console.log(`bad_upgrade ${String(bad)}: killed when version 1.0.2 was loaded`);
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  { name: 'seed_io', crashReport: false },
);
watch(session, (reason) => {
  console.error(`the session failed: ${String(reason)}`);
  process.exit(1);
});
