/**
 * The README of a new project. Its "Quick start" block is the contract: `hotrel new`'s end-to-end
 * test runs those very lines (all but `npm install`) in a generated project.
 */

const FENCE = '```';

export function readme(name: string): string {
  const bin = `_build/rel/${name}/bin/${name}`;
  return `# ${name}

A service built with hotrel: Erlang/OTP-style releases and live code upgrades for TypeScript on
Node.js. It was made by \`hotrel new ${name}\`.

## Quick start

${FENCE}sh
npm install
npm test
npm run build
npm start
${bin} rpc ${name}:counter increment 5
${bin} rpc ${name}:counter value
npm stop
${FENCE}

- \`npm test\` type-checks the project and runs the tests in \`test/\`.
- \`npm run build\` (\`hotrel release\`) builds release 1.0.0 into \`_build/rel/${name}/\`: the
  compiled application, its packages and hotrel, and \`bin/${name}\`, the command that runs it.
  The directory is self-contained: copy it to a server and run it there.
- \`npm start\` (\`bin/${name} daemon\`) starts the node in the background (log in
  \`_build/rel/${name}/log/${name}.log\`); \`npm stop\` stops it in order.
- \`bin/${name} rpc <module> <function> [json args...]\` calls a function in the running node;
  \`bin/${name} remote_console\` (\`npm run console\`) opens a console inside it; \`bin/${name}
  help\` lists the other commands.

## What is in it

| file | what it is |
|---|---|
| \`src/app.ts\` | the application callback: starts the top supervisor |
| \`src/sup.ts\` | the top supervisor: starts the counter, restarts it if it crashes |
| \`src/counter.ts\` | a GenServer: a process that owns the count and answers calls |
| \`test/counter.test.ts\` | tests that run those modules in real processes |
| \`package.json\` | the \`hotrel\` section: the application (\`app\`) and the release (\`release\`) |

Every file under \`src/\` is a module of the application \`${name}\` (\`${name}:counter\` is
\`src/counter.ts\`). Modules are compiled one by one, never bundled, so a release upgrade can
replace each of them in the running node.

## Upgrading

A running node moves to a new version without a restart: connections stay open and each
GenServer keeps its state, converted by its \`codeChange\`.

1. Change the code. If a GenServer's state changes shape, convert it in \`codeChange\` both ways
   (\`oldVsn\` is \`{ down: vsn }\` when going back), and bump its \`vsn\`.
2. Bump \`version\` in \`package.json\` (1.0.0 -> 1.0.1).
3. \`npm run build\` builds 1.0.1 beside 1.0.0 in \`_build/rel/${name}/\`.
4. \`npx hotrel upgrade-pack\` writes the appup, the relup and the upgrade package
   (\`${name}-1.0.1.tar.gz\`).
5. Copy the package into the live node's \`releases/\` directory and run
   \`bin/${name} upgrade 1.0.1\`; \`bin/${name} downgrade 1.0.0\` goes back.

Write code that upgrades well: call your own module through its facade (\`import * as Counter
from './counter'\`), keep data (not functions) in state, and let hotrel own your sockets'
listeners (\`forwardEvents\`). hotrel's repository says more: docs/guide.md and
docs/upgrade-friendly-code.md.
`;
}
