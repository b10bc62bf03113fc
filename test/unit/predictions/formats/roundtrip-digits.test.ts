import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { scratchDir } from '../../helpers/scratch';
import { roundtripCases } from './roundtrip-cases';

const dir = scratchDir('formats-roundtrip-digits');
test.after(() => rmSync(dir, { recursive: true, force: true }));

roundtripCases('digits_dev', dir, 'files');
