import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/handler/control/client';
import { cookiePath, ensureCookie } from '../../src/handler/control/cookie';
import {
  AuthenticationError,
  CommandTimeoutError,
  NodeNotRunningError,
  RemoteCommandError,
} from '../../src/handler/control/errors';
import { ControlServer, type CommandHandler } from '../../src/handler/control/server';
import { captureLogs } from '../helpers/log-capture';
import { tmpDir } from '../helpers/tmp';

const servers: ControlServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function startServer(
  root: string,
  commands: Record<string, CommandHandler> = {},
): Promise<ControlServer> {
  const server = new ControlServer({
    root,
    name: 'testrel',
    commands: new Map(Object.entries({ ping: () => 'pong', ...commands })),
    authTimeoutMs: 500,
  });
  await server.listen();
  servers.push(server);
  return server;
}

describe('control socket', () => {
  it('answers commands after the cookie challenge, with progress lines and errors', async () => {
    const root = tmpDir();
    await startServer(root, {
      add: (args) => (args as number[]).reduce((a, b) => a + b, 0),
      steps: (_args, ctx) => {
        ctx.progress('one');
        ctx.progress('two');
        return 'done';
      },
      fail: () => {
        throw Object.assign(new Error('it broke; do X'), { code: 'broke', details: { why: 1 } });
      },
    });
    const client = await ControlClient.connect(root);
    expect(client.name).toBe('testrel');
    expect(await client.request('ping')).toBe('pong');
    expect(await client.request('add', [1, 2, 3])).toBe(6);
    const seen: string[] = [];
    expect(await client.request('steps', [], { onProgress: (t) => seen.push(t) })).toBe('done');
    expect(seen).toEqual(['one', 'two']);
    const err = await client.request('fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err).toMatchObject({ message: 'it broke; do X', code: 'broke', details: { why: 1 } });
    await expect(client.request('nope')).rejects.toThrow(
      "unknown command 'nope'; the node knows: add, fail, ping, steps",
    );
    client.close();
  });

  it('times a command out clearly', async () => {
    const root = tmpDir();
    await startServer(root, { hang: () => new Promise(() => {}) });
    const client = await ControlClient.connect(root);
    const err = await client.request('hang', [], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect((err as Error).message).toMatch(/no answer to 'hang' within 50 ms/);
    client.close();
  });

  it('refuses and logs a wrong cookie', async () => {
    const root = tmpDir();
    await startServer(root);
    const logs = captureLogs();
    try {
      const err = await ControlClient.connect(root, { cookie: 'not-the-cookie' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as Error).message).toMatch(/wrong cookie/);
      expect(logs.lines.some((l) => String(l.msg).includes('refused a connection (wrong cookie)'))).toBe(
        true,
      );
    } finally {
      logs.restore();
    }
  });

  it('refuses a request sent before authenticating, and a silent connection', async () => {
    const root = tmpDir();
    const server = await startServer(root);
    const exchange = (send: string | undefined) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.socketPath);
        let data = '';
        s.on('data', (d) => {
          data += d.toString();
          if (send !== undefined && data.includes('\n')) {
            s.write(send + '\n');
            send = undefined;
          }
        });
        s.on('close', () => resolve(data));
      });
    const early = await exchange(JSON.stringify({ id: 1, cmd: 'ping', args: [] }));
    expect(early).toContain('request before authentication');
    expect(early).not.toContain('pong');
    const silent = await exchange(undefined);
    expect(silent).toContain('no authentication within the time limit');
  });

  it('is owner-only: socket 0600 in a 0700 directory, cookie 0600', async () => {
    const root = tmpDir();
    const server = await startServer(root);
    expect(fs.statSync(server.socketPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(server.socketPath)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(cookiePath(root)).mode & 0o777).toBe(0o600);
  });

  it('refuses a second node on the same root, and replaces a stale socket file', async () => {
    const root = tmpDir();
    await startServer(root);
    await expect(startServer(root)).rejects.toThrow(/a node is already running with this release root/);
    await servers.pop()!.close();
    // a stale socket file left by a node killed with SIGKILL
    const sock = path.join(root, 'tmp', 'control.sock');
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`,
    ]);
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.existsSync(sock)).toBe(true);
    await startServer(root);
    const client = await ControlClient.connect(root);
    expect(await client.request('ping')).toBe('pong');
    client.close();
  });

  it('says the node is not running when nothing listens', async () => {
    const root = tmpDir();
    await expect(ControlClient.connect(root)).rejects.toBeInstanceOf(NodeNotRunningError);
    ensureCookie(root);
    await expect(ControlClient.connect(root)).rejects.toThrow(/the node is not running/);
  });

  it('refuses a cookie file others can read', async () => {
    const root = tmpDir();
    ensureCookie(root);
    fs.chmodSync(cookiePath(root), 0o644);
    await expect(ControlClient.connect(root)).rejects.toThrow(/readable by others.*chmod 600/);
  });

  it('hands the socket over to a streaming command', async () => {
    const root = tmpDir();
    await startServer(root, {
      echo: (_args, ctx) => {
        const { socket, pending } = ctx.takeOver();
        if (pending.length > 0) socket.write(pending);
        socket.write('banner line\n');
        socket.on('data', (d) => socket.write(`echo:${d.toString()}`));
      },
    });
    const client = await ControlClient.connect(root);
    const { socket, pending } = await client.stream('echo');
    let out = pending.toString();
    await new Promise<void>((resolve) => {
      socket.on('data', (d) => {
        out += d.toString();
        if (out.includes('echo:hi')) resolve();
      });
      socket.write('hi');
    });
    expect(out).toContain('banner line\n');
    socket.destroy();
  });
});
