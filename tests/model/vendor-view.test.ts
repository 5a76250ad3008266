/**
 * Documented fact or our reading: the `x-sps-source` marks, the vendor-only view derived from
 * them (src/model/vendor-view.ts), and the Redocly plugin (lint/sps-source.js) that enforces
 * the marks.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Redocly lint, bundle and type generation of the whole spec (190 paths) take tens of seconds.
vi.setConfig({ testTimeout: 240_000 });
import { buildSpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { collectExamples, loadBundled, root, type Json } from '../spec/lib.js';
import { isReading, vendorOnlyView } from '../../src/model/vendor-view.js';

const doc = loadBundled();
const API_200 = '#/paths/~1api/get/responses/200/content/application~1json/schema';
const TX_200 = '#/paths/~1api~1transaction/get/responses/200/content/application~1json/schema';

/** Validates against the full document and against its vendor-only view. */
function verdicts(d: Json, pointer: string, value: unknown) {
  const full = createValidator(buildSpecModel(d)).validate(pointer, value);
  const vendor = createValidator(buildSpecModel(vendorOnlyView(d))).validate(pointer, value);
  return { full: full.valid, vendor: vendor.valid, errors: full.errors };
}

const apiAnswer = (parent: unknown) => ({
  items: [{ key: 'configuration', meta: { href: '/api/configuration' } }],
  meta: { href: '/api', parent, transaction: '/api/transaction' },
});

describe('the vendor-only view', () => {
  it('GET /api with meta.parent "/" breaks only a reading: fails the full schema, passes the view', () => {
    const v = verdicts(doc, API_200, apiAnswer('/'));
    // `parent` is a path or null (the 7.x GET /api/configuration sample): the path branch's pattern is the reading.
    expect(v.errors).toContain('/meta/parent: must match pattern "^/api(/[^\\s]*)?$"');
    expect(v).toMatchObject({ full: false, vendor: true });
  });

  it('a broken vendor fact fails the view too (a link that is not a string, a 7.x status without body.status)', () => {
    expect(verdicts(doc, API_200, apiAnswer(42))).toMatchObject({ full: false, vendor: false });
    const status = { body: { commit_message: 'optional' }, key: 'transaction', meta: { href: '/api/transaction' } };
    expect(verdicts(doc, TX_200, status)).toMatchObject({ full: false, vendor: false });
    const unknownState = { body: { status: 'pending' }, key: 'transaction', meta: { href: '/api/transaction' } };
    expect(verdicts(doc, TX_200, unknownState)).toMatchObject({ full: false, vendor: false });
  });

  it('GET /api/info: the anonymous vendor answer validates; a broken vendor fact fails the view too', () => {
    const pointer = '#/paths/~1api~1info/get/responses/200/content/application~1json/schema';
    const anonymous = {
      body: { domainname: 'example', hostname: 'sps', nickname: null, support_link: 'mailto:admin@example.com' },
      key: 'about_info',
      meta: { href: '/api/info', parent: '/api' },
    };
    expect(verdicts(doc, pointer, anonymous)).toMatchObject({ full: true, vendor: true });
    expect(verdicts(doc, pointer, { body: { firmware_version: '7.5.1' } })).toMatchObject({ full: true, vendor: true });
    expect(verdicts(doc, pointer, { body: { ...anonymous.body, hostname: 42 } })).toMatchObject({ full: false, vendor: false });
  });

  it('takes out inferences as it takes out readings (the NTP server `ip` selection, the `/api` link pattern)', () => {
    const apiParent = verdicts(doc, API_200, apiAnswer('/'));
    expect(apiParent).toMatchObject({ full: false, vendor: true });
    expect(isReading(doc.components.schemas.TransactionCommit.properties.message)).toBe(true);
    expect(doc.components.schemas.TransactionCommit.properties.message['x-sps-source'].kind).toBe('inference');
  });

  it('takes out readings of every kind: a pattern, a closed enum, a reading schema, a reading response, a reading media type', () => {
    const ntp = { body: [{ selection: 'hostname', value: 'pool.ntp.org' }], key: 'ntp_servers', meta: { href: '/api/configuration/datetime/ntp_servers' } };
    expect(verdicts(doc, '#/paths/~1api~1configuration~1datetime~1ntp_servers/get/responses/200/content/application~1json/schema', ntp)).toMatchObject({
      full: false,
      vendor: true,
    });
    // WriteResult requires key and meta: vendor POST answers (passwords, plugin and firmware uploads) show both.
    expect(verdicts(doc, '#/components/schemas/WriteResult', { ok: true })).toMatchObject({ full: false, vendor: false });
    // 409 Conflict is our reading as a whole; 411's body is ours (its media type is marked).
    expect(verdicts(doc, '#/components/responses/Conflict/content/application~1json/schema', { message: 'locked' })).toMatchObject({
      full: false,
      vendor: true,
    });
    expect(verdicts(doc, '#/components/responses/LengthRequired/content/application~1json/schema', 'Length Required')).toMatchObject({
      full: false,
      vendor: true,
    });
    // A vendor response keeps its body: 404 without error.type fails both.
    expect(verdicts(doc, '#/components/responses/NotFound/content/application~1json/schema', { message: 'x' })).toMatchObject({ full: false, vendor: false });
  });

  it('keeps a reading that is a oneOf branch (it only widens): a null GPG key passes both, a number fails both', () => {
    const pointer = '#/components/schemas/ExportedConfigurationEncryption';
    expect(verdicts(doc, pointer, { encryption: { enabled: false, gpg_public_key: null } })).toMatchObject({ full: true, vendor: true });
    expect(verdicts(doc, pointer, { encryption: { enabled: false, gpg_public_key: 7 } })).toMatchObject({ full: false, vendor: false });
  });

  it('depends on the marks: without the reading mark on the Path pattern, "/" fails the view too', () => {
    const unmarked = structuredClone(doc);
    delete unmarked.components.schemas.Path.allOf[0]['x-sps-source'];
    expect(verdicts(unmarked, API_200, apiAnswer('/'))).toMatchObject({ full: false, vendor: false });
  });

  it('only loosens: every example valid in the full document is valid in the view, at the same pointer', () => {
    const view = createValidator(buildSpecModel(vendorOnlyView(doc)));
    const failing = collectExamples(doc)
      .filter((ex) => !view.validate(ex.schemaPointer, ex.value).valid)
      .map((ex) => ex.pointer);
    expect(failing).toEqual([]);
  });

  it('leaves its input alone', () => {
    const before = JSON.stringify(doc);
    vendorOnlyView(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('no reading is placed where taking it out would not loosen (under `not`)', () => {
    const offenders: string[] = [];
    const walk = (node: unknown, at: string, underNot: boolean) => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${at}/${i}`, underNot);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      if (underNot && isReading(node)) offenders.push(at);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`, underNot || k === 'not');
    };
    walk(doc, '#', false);
    expect(offenders).toEqual([]);
  });
});

describe('x-sps-source marks', () => {
  it('the meta link rules that no vendor page states are readings (x-sps-rules on Meta)', () => {
    const rules = doc.components.schemas.Meta['x-sps-rules'] as Record<string, Json>;
    expect(Object.keys(rules).sort()).toEqual(['hrefIsRequestPath', 'parentIsParentPath', 'siblingsInKeyOrder', 'siblingsShareParent']);
    for (const r of Object.values(rules)) expect(r).toMatchObject({ kind: 'reading', reason: expect.any(String) });
    expect(doc.components.schemas.Meta['x-sps-source'].kind).toBe('vendor');
  });

  it('marks readings that the README lists (201 on openTransaction, 409, ClusterNodeCollection, BackupPolicy)', () => {
    expect(isReading(doc.paths['/api/transaction'].post.responses['201'])).toBe(true);
    expect(isReading(doc.components.responses.Conflict)).toBe(true);
    expect(isReading(doc.components.schemas.ClusterNodeCollection)).toBe(true);
    expect(isReading(doc.components.schemas.BackupPolicy)).toBe(true);
    expect(isReading(doc.components.schemas.TransactionStatus)).toBe(false);
  });
});

describe('the provenance lint (Redocly plugin lint/sps-source.js)', () => {
  it('fails a document with an unmarked reading, an invalid source and a missing source, naming file and pointer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sps-source-lint-'));
    try {
      for (const part of ['openapi', 'lint']) cpSync(join(root, part), join(dir, part), { recursive: true });
      cpSync(join(root, 'redocly.yaml'), join(dir, 'redocly.yaml'));
      cpSync(join(root, '.redocly.lint-ignore.yaml'), join(dir, '.redocly.lint-ignore.yaml'));
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      const edit = (file: string, from: string | RegExp, to: string) => {
        const path = join(dir, 'openapi', file);
        const text = readFileSync(path, 'utf8');
        const next = text.replace(from, to);
        expect(next, file).not.toBe(text);
        writeFileSync(path, next);
      };
      // 1. "Our reading" without kind: reading (the mark says vendor).
      edit(
        'components/schemas/ConfigurationSync.yaml',
        /x-sps-source:\n {2}kind: reading\n {2}reason: .*\n/,
        'x-sps-source:\n  kind: vendor\n  pages:\n    - seeds/002_d48d5ff63f018a2b.txt\n',
      );
      // 2. An invalid source: unknown kind, a reading without reason.
      edit('components/schemas/Timezone.yaml', /x-sps-source:\n {2}kind: vendor\n/, 'x-sps-source:\n  kind: rumour\n');
      edit('components/schemas/Path.yaml', / {6}reason: .*\n/, '');
      // An observed source (a moved-in discovery draft) without the node it was seen on.
      edit(
        'components/schemas/Reference.yaml',
        /x-sps-source:\n {2}kind: vendor\n {2}pages:\n( {4}- .*\n)+/,
        'x-sps-source:\n  kind: observed\n  version: 7.5.1\n',
      );
      // 3. An operation without a source.
      edit('paths/datetime/timezone.yaml', / {2}x-sps-source:\n {4}kind: vendor\n {4}pages:\n( {6}- .*\n)+/, '');
      const res = spawnSync(join(root, 'node_modules/.bin/redocly'), ['lint', '--config', 'redocly.yaml', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
      expect(res.status).not.toBe(0);
      const report = JSON.parse(res.stdout) as { problems: { ruleId: string; message: string; location: { source: { ref: string }; pointer: string }[] }[] };
      const found = report.problems.map((p) => `${p.ruleId} ${p.location[0]!.source.ref.replace(`${dir}/`, '')} ${p.location[0]!.pointer}`).sort();
      expect(found).toEqual([
        'sps/reading-marked openapi/components/schemas/ConfigurationSync.yaml #/description',
        'sps/source-required openapi/paths/datetime/timezone.yaml #/get',
        'sps/source-valid openapi/components/schemas/Path.yaml #/allOf/0/x-sps-source',
        'sps/source-valid openapi/components/schemas/Reference.yaml #/x-sps-source',
        'sps/source-valid openapi/components/schemas/Timezone.yaml #/x-sps-source',
      ]);
      const messages = report.problems.map((p) => p.message).join('\n');
      expect(messages).toContain('kind must be one of vendor, client-code, inference, reading, observed, got "rumour"');
      expect(messages).toContain('an observed source needs `node`');
      expect(messages).toContain('an inference needs a `reason`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
