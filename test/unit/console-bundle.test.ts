import { buildConsole, GZIP_BUDGET_BYTES, gzippedSize } from '../../console/build';

describe('the console bundle', () => {
  it(`is the page, one script and one stylesheet, under ${GZIP_BUDGET_BYTES / 1024} KB gzipped`, () => {
    const files = buildConsole();
    const size = gzippedSize(files);
    process.stdout.write(`console: ${size} B gzipped (${[...files.keys()].join(', ')})\n`);

    expect([...files.keys()].sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(size).toBeLessThan(GZIP_BUDGET_BYTES);
  });

  it('carries no Node.js module and no inline script, so a CSP of script-src self holds', () => {
    const files = buildConsole();
    const js = new TextDecoder().decode(files.get('app.js'));
    const html = new TextDecoder().decode(files.get('index.html'));

    expect(js).not.toMatch(/require\(["']node:|from ?["']node:/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });
});
