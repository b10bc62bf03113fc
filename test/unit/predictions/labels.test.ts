import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelPairReader } from '../../../src/core/predictions';

test('labels: JSON records join by a nested key; missing or empty values give nothing', () => {
  const read = labelPairReader('request_id', 'label');
  assert.deepEqual(read({ kind: 'json', value: { request_id: 7, label: 3 } }, undefined), { key: '7', label: '3' });
  assert.equal(read({ kind: 'json', value: { request_id: 7 } }, undefined), undefined);
  assert.equal(read({ kind: 'json', value: { request_id: '', label: 1 } }, undefined), undefined);
  assert.equal(read({ kind: 'json', value: { request_id: 8, label: null } }, undefined), undefined);
  assert.deepEqual(labelPairReader('meta.id', 'y')({ kind: 'json', value: { meta: { id: 'a' }, y: 'cat' } }, undefined), { key: 'a', label: 'cat' });
});

test('labels: CSV columns are found by the header, which may change; a missing column gives nothing', () => {
  const read = labelPairReader('id', 'label');
  assert.deepEqual(read({ kind: 'csv', fields: ['5', '1'] }, ['id', 'label']), { key: '5', label: '1' });
  assert.deepEqual(read({ kind: 'csv', fields: ['0', '9', 'x'] }, ['label', 'id', 'note']), { key: '9', label: '0' });
  assert.equal(read({ kind: 'csv', fields: ['9', ''] }, ['id', 'label']), undefined);
  assert.equal(read({ kind: 'csv', fields: ['9'] }, ['id']), undefined);
  assert.equal(read({ kind: 'csv', fields: ['9', '1'] }, undefined), undefined);
});
