/**
 * Unpacking upgrade packages: a good package is verified, placed and registered; a truncated,
 * corrupted or tampered package, one whose paths or links lead outside the root, or a slim one
 * on a node without its base is refused and nothing changes; a failed attempt never blocks a
 * retry; remove deletes what no other release uses.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { layout } from '../../src/model';
import { ReleaseTable } from '../../src/handler/release-handler/releases';
import { unpack } from '../../src/handler/release-handler/unpack';
import { ReleaseHandler } from '../../src/handler/release-handler/handler';
import { kvAppDef } from '../helpers/kv-app';
import { releaseJson, writePackage, writeRelease, type ReleaseDef } from '../helpers/release-builder';
import { snapshot } from '../helpers/release-root';
import { tarGzOf } from '../helpers/tar-writer';
import { tmpDir } from '../helpers/tmp';

const handlers: ReleaseHandler[] = [];
afterEach(() => {
  for (const h of handlers.splice(0)) h.stop();
});

let n = 0;
function world() {
  const app = `up${++n}`;
  const other = `lib${n}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const libApp = { name: other, vsn: '2.0.0', modules: { util: 'export const x = 1;\n' } };
  const v100: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.0',
    apps: [{ app: kvAppDef(app, '1.0.0') }, { app: libApp }],
  };
  const v101: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.1',
    apps: [{ app: kvAppDef(app, '1.0.1') }, { app: libApp }],
  };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelease(live, v100);
  const handler = (): ReleaseHandler => {
    const h = new ReleaseHandler({ root: live, release: releaseJson(v100), restartNode: () => {} });
    handlers.push(h);
    return h;
  };
  return { app, other, build, live, v100, v101, handler };
}

const table = (live: string, v: ReleaseDef) => ReleaseTable.open(live, releaseJson(v));

describe('unpack', () => {
  it('verifies a full package, places its files and registers the release as unpacked', async () => {
    const w = world();
    writePackage(w.build, '1.0.1', w.live);
    const progress: string[] = [];
    const result = await unpack(w.live, table(w.live, w.v100), '1.0.1', (l) => progress.push(l));
    expect(result).toMatchObject({ vsn: '1.0.1', alreadyRegistered: false, replaced: [] });
    expect(result.kept).toBeGreaterThan(0); // lib<n>-2.0.0 was there already
    expect(fs.existsSync(path.join(w.live, 'lib', `${w.app}-1.0.1`, 'kv_server.js'))).toBe(true);
    expect(fs.readFileSync(layout.releaseFile(w.live, '1.0.1'), 'utf8')).toBe(
      fs.readFileSync(layout.releaseFile(w.build, '1.0.1'), 'utf8'),
    );
    expect(table(w.live, w.v100).info()).toEqual([
      { name: 'kvrel', vsn: '1.0.1', libs: [`${w.app}-1.0.1`, `${w.other}-2.0.0`], status: 'unpacked' },
      { name: 'kvrel', vsn: '1.0.0', libs: [`${w.app}-1.0.0`, `${w.other}-2.0.0`], status: 'permanent' },
    ]);
    expect(progress[0]).toMatch(/files verified/);
    // the package stays (OTP deletes it, which breaks a retry)
    expect(fs.existsSync(layout.packageFile(w.live, 'kvrel', '1.0.1'))).toBe(true);
    // unpacking again is a no-op that succeeds (OTP: existing_release)
    expect(await unpack(w.live, table(w.live, w.v100), '1.0.1')).toMatchObject({
      alreadyRegistered: true,
      written: 0,
    });
  });

  const refusals: Array<[string, (w: ReturnType<typeof world>) => void, RegExp]> = [
    [
      'truncated',
      (w) => {
        const file = writePackage(w.build, '1.0.1', w.live);
        const bytes = fs.readFileSync(file);
        fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      },
      /truncated or corrupted/,
    ],
    [
      'corrupted (one byte flipped)',
      (w) => {
        const file = writePackage(w.build, '1.0.1', w.live);
        const bytes = fs.readFileSync(file);
        const at = Math.floor(bytes.length / 2);
        bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
        fs.writeFileSync(file, bytes);
      },
      /truncated or corrupted|does not match its checksum/,
    ],
    [
      'tampered (a file changed after the manifest was made)',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => {
            const e = entries.find((x) => x.path.endsWith('kv_server.js'))!;
            (e as { content: string | Buffer }).content = 'module.exports = { evil: true };';
          },
        }),
      /kv_server\.js does not match its checksum in the manifest/,
    ],
    [
      'holding a file its manifest does not list',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => void entries.push({ path: 'lib/extra.js', content: 'x' }),
        }),
      /lib\/extra\.js is not listed in its manifest/,
    ],
    [
      'missing a file its manifest lists',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => void entries.pop(),
        }),
      /listed in its manifest but missing from the package/,
    ],
    [
      'with a path escaping the root',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => void entries.push({ path: '../../outside.txt', content: 'x' }),
        }),
      /would be written outside the release root/,
    ],
    [
      'with an absolute path',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => void entries.push({ path: '/tmp/evil', content: 'x' }),
        }),
      /would be written outside the release root/,
    ],
    [
      'with a symlink pointing outside the root',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) =>
            void entries.push({ path: 'lib/escape', type: 'symlink', target: '../../../etc' }),
        }),
      /the link lib\/escape points outside the release root/,
    ],
    [
      'with a hard link to a file outside the package',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) =>
            void entries.push({ path: 'lib/hard', type: 'hardlink', target: 'etc/passwd' }),
        }),
      /hard link lib\/hard points to etc\/passwd, which is not a file of the package/,
    ],
    [
      'with a device or fifo',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries) => void entries.push({ path: 'lib/fifo', type: 'fifo' }),
        }),
      /is a FIFO, which a package may not hold/,
    ],
    [
      'writing over the node files',
      (w) =>
        void writePackage(w.build, '1.0.1', w.live, {
          tamper: (entries, manifest) => {
            entries.push({ path: 'releases/RELEASES.json', content: '{}' });
            manifest.files['releases/RELEASES.json'] =
              '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
          },
        }),
      /outside lib\/, releases\/1\.0\.1\//,
    ],
    [
      'without MANIFEST.json first',
      (w) => {
        fs.writeFileSync(
          layout.packageFile(w.live, 'kvrel', '1.0.1'),
          tarGzOf([{ path: 'lib/a.js', content: 'x' }]),
        );
      },
      /not MANIFEST\.json \(not a hotrel upgrade package\)/,
    ],
    [
      'not a gzip at all',
      (w) => fs.writeFileSync(layout.packageFile(w.live, 'kvrel', '1.0.1'), 'hello'),
      /truncated or corrupted/,
    ],
  ];

  for (const [what, make, message] of refusals) {
    it(`refuses a package ${what}, changing nothing`, async () => {
      const w = world();
      make(w);
      const before = snapshot(w.live);
      const err = await unpack(w.live, table(w.live, w.v100), '1.0.1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'bad_package' });
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/[Nn]othing was changed/);
      expect(snapshot(w.live)).toEqual(before);
      expect(fs.existsSync(path.join(w.live, '..', '..', 'outside.txt'))).toBe(false);
    });
  }

  it('refuses a slim package on a node without its base, naming the base; takes it on a node with it', async () => {
    const w = world();
    // lib<n>-2.0.0 is required from the base, not carried
    writePackage(w.build, '1.0.1', w.live, { onlyApps: [w.app], bases: ['1.0.0'] });
    const bare = path.join(tmpDir(), 'rel');
    writeRelease(bare, { name: 'kvrel', vsn: '0.9.0', apps: [{ app: kvAppDef(w.app, '0.9.0') }] });
    fs.copyFileSync(layout.packageFile(w.live, 'kvrel', '1.0.1'), layout.packageFile(bare, 'kvrel', '1.0.1'));
    const before = snapshot(bare);
    const err = await unpack(
      bare,
      ReleaseTable.open(bare, releaseJson({ name: 'kvrel', vsn: '0.9.0', apps: [] })),
      '1.0.1',
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'needs_base',
      details: { missing: [`lib/${w.other}-2.0.0`], bases: ['1.0.0'] },
    });
    expect((err as Error).message).toMatch(/slim package made against release 1\.0\.0/);
    expect((err as Error).message).toMatch(/Unpack release 1\.0\.0 first, or use the full package/);
    expect(snapshot(bare)).toEqual(before);
    expect(await unpack(w.live, table(w.live, w.v100), '1.0.1')).toMatchObject({ vsn: '1.0.1' });
  });

  it('a failed attempt never blocks a retry; leftovers of an attempt that did not register are replaced', async () => {
    const w = world();
    const file = writePackage(w.build, '1.0.1', w.live);
    const good = fs.readFileSync(file);
    // an earlier attempt wrote a damaged file, then died before registering the release
    const leftover = path.join(w.live, 'lib', `${w.app}-1.0.1`, 'kv_server.js');
    fs.mkdirSync(path.dirname(leftover), { recursive: true });
    fs.writeFileSync(leftover, 'half a file');
    // and a truncated copy of the package is refused first
    fs.writeFileSync(file, good.subarray(0, 100));
    await expect(unpack(w.live, table(w.live, w.v100), '1.0.1')).rejects.toMatchObject({
      code: 'bad_package',
    });
    fs.writeFileSync(file, good);
    const result = await unpack(w.live, table(w.live, w.v100), '1.0.1');
    expect(result.replaced).toEqual([`lib/${w.app}-1.0.1/kv_server.js`]);
    expect(fs.readFileSync(leftover, 'utf8')).toBe(
      fs.readFileSync(path.join(w.build, 'lib', `${w.app}-1.0.1`, 'kv_server.js'), 'utf8'),
    );
  });

  it('refuses to change a file of a registered release (versions are immutable)', async () => {
    const w = world();
    writePackage(w.build, '1.0.1', w.live, {
      tamper: (entries, manifest) => {
        // a rebuilt lib<n>-2.0.0 with other content under the same version
        const e = entries.find((x) => x.path === `lib/${w.other}-2.0.0/util.js`)!;
        (e as { content: string }).content = 'exports.x = 2;\n';
        manifest.files[e.path] = crypto.createHash('sha256').update('exports.x = 2;\n').digest('hex');
      },
    });
    const before = snapshot(w.live);
    const err = await unpack(w.live, table(w.live, w.v100), '1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_package', details: { release: '1.0.0' } });
    expect((err as Error).message).toMatch(/belongs to release 1\.0\.0; a version's files never change/);
    expect(snapshot(w.live)).toEqual(before);
  });

  it('refuses a missing package, a package of another release, and an installed version', async () => {
    const w = world();
    await expect(unpack(w.live, table(w.live, w.v100), '1.0.1')).rejects.toMatchObject({
      code: 'no_such_file',
    });
    await expect(unpack(w.live, table(w.live, w.v100), '1.0.1')).rejects.toThrow(
      /copy the upgrade package there/,
    );
    const file = writePackage(w.build, '1.0.1', w.live);
    fs.renameSync(file, layout.packageFile(w.live, 'kvrel', '1.0.2'));
    await expect(unpack(w.live, table(w.live, w.v100), '1.0.2')).rejects.toThrow(
      /holds release 1\.0\.1, not 1\.0\.2/,
    );
    const same = writePackage(w.build, '1.0.0', w.live);
    expect(fs.existsSync(same)).toBe(true);
    await expect(unpack(w.live, table(w.live, w.v100), '1.0.0')).rejects.toMatchObject({
      code: 'existing_release',
    });
  });
});

describe('remove', () => {
  it('deletes the release and the lib directories no other release uses; refuses the permanent one', async () => {
    const w = world();
    writePackage(w.build, '1.0.1', w.live);
    const h = w.handler();
    await h.unpack('1.0.1');
    expect(() => h.remove('1.0.0')).toThrow(/permanent release and cannot be removed/);
    expect(h.remove('1.0.1').removed.sort()).toEqual([`lib/${w.app}-1.0.1`, 'releases/1.0.1']);
    expect(fs.existsSync(path.join(w.live, 'lib', `${w.other}-2.0.0`))).toBe(true); // still used by 1.0.0
    expect(h.whichReleases().map((r) => r.vsn)).toEqual(['1.0.0']);
    expect(() => h.remove('1.0.1')).toThrow(/not known to this node/);
    // and it can be unpacked again (the package is still there)
    expect(await h.unpack('1.0.1')).toMatchObject({ alreadyRegistered: false });
  });
});
