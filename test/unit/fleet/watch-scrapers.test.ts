// Scrapers that hang or crowd in: the monitors keep running, a good scrape is still answered at
// once, hung sockets are cut off at the scrape timeout, and memory stays bounded.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { scratchDir } from '../helpers/scratch';
import { get, pageValue, startWatch } from './watchProcess';

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

test('hung and crowding scrapers never block the monitors, and memory stays bounded', async () => {
  const dir = scratchDir('fleet-scrapers');
  cpSync('examples/predictions/tabular_dev.csv', join(dir, 'tabular.csv'));
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ predictions: [{ name: 'tabular', log: 'tabular.csv', reference: { rows: 1000 }, window: 500 }] }));
  const watch = await startWatch(dir, ['--scrape-timeout', '2']);
  const url = `http://${watch.target}/metrics`;
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < 20; i++) await get(url);
    const baseline = rssBytes(watch.child.pid!);

    // 200 scrapers that never finish their request, 100 that ask and never read the answer.
    const closed: Promise<void>[] = [];
    const open = (request: string, read: boolean) =>
      new Promise<void>((ready) => {
        const s = net.connect(watch.port, '127.0.0.1', () => {
          s.write(request);
          ready();
        });
        if (!read) s.pause();
        s.on('error', () => undefined);
        closed.push(new Promise((r) => s.once('close', () => r())));
        sockets.push(s);
      });
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 200 }, () => open('GET /metrics HTTP/1.1\r\nHost: x\r\n', true)),
      ...Array.from({ length: 100 }, () => open('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n', false)),
    ]);

    // 200 scrapes at once beside the 300 hung ones (under the 512-connection cap): each answered, all with the one page.
    const pages = await Promise.all(Array.from({ length: 200 }, () => get(url)));
    assert.deepEqual([...new Set(pages.map((p) => p.status))], [200]);
    assert.equal(new Set(pages.map((p) => p.body)).size, 1);

    // The monitors go on: rows appended now are published while those sockets hang.
    const rows = readFileSync(join(dir, 'tabular.csv'), 'utf8').split('\n').slice(1, 51).join('\n') + '\n';
    appendFileSync(join(dir, 'tabular.csv'), rows);
    for (;;) {
      const t0 = Date.now();
      const page = await get(url);
      // Within a scrape timeout: a re-analysis of the log shares the thread (about 1 s here under load).
      assert.ok(Date.now() - t0 < 5000, `a good scrape took ${Date.now() - t0} ms`);
      if (pageValue(page.body, 'modelmon_prediction_rows_total{monitor="tabular"}') === 4050) break;
      assert.ok(Date.now() - started < 30_000, 'the appended rows were not published within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    // The hung sockets are cut off at the 2 s scrape timeout (a paused socket sees the end only once it reads).
    for (const s of sockets) s.resume();
    await Promise.race([Promise.all(closed), new Promise((_, fail) => setTimeout(() => fail(new Error('hung scrapers were not disconnected within 10 s')), 10_000))]);
    const grown = rssBytes(watch.child.pid!) - baseline;
    console.log(`RSS ${(baseline / 1048576).toFixed(1)} MiB before, grew ${(grown / 1048576).toFixed(1)} MiB with 300 hung and 200 concurrent scrapers`);
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
  } finally {
    for (const s of sockets) s.destroy();
    assert.equal(await watch.stop(), 0);
  }
});
