import { describe, expect, it } from 'vitest';
import { DOC_TABLES, withTable } from '../../scripts/doc-tables.js';

const table = { name: 'demo', file: 'docs/demo.md', render: () => '| a |\n| --- |\n| fresh |' };

describe('generated tables in docs/', () => {
  it('replaces only what stands between the markers', () => {
    const text = 'before\n<!-- generated: demo (npm run generate) -->\n| a |\n| --- |\n| stale |\n<!-- end generated: demo -->\nafter\n';
    const fresh = withTable(text, table);
    expect(fresh).toContain('| fresh |');
    expect(fresh).not.toContain('| stale |');
    expect(fresh.startsWith('before\n')).toBe(true);
    expect(fresh.endsWith('<!-- end generated: demo -->\nafter\n')).toBe(true);
    expect(withTable(fresh, table)).toBe(fresh);
  });

  it('names the file and the markers when they are missing', () => {
    expect(() => withTable('no markers here', table)).toThrow(/docs\/demo\.md: the markers of the generated table "demo" are missing/);
  });

  it('covers the checks table', () => {
    expect(DOC_TABLES.map((t) => t.name)).toContain('checks');
  });
});
