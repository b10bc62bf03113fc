import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldPath, valueAt } from '../../../../src/core/predictions/fieldPath';
import { envelopeFormatOf, envelopeReader, validateEnvelopeMapping, type EnvelopeRow } from '../../../../src/core/predictions/envelopes';

function read(format: Parameters<typeof envelopeReader>[0], docs: unknown[]): { rows: EnvelopeRow[]; problems: string[] } {
  const rows: EnvelopeRow[] = [];
  const problems: string[] = [];
  const r = envelopeReader(format, { row: (x) => rows.push(x), problem: (_l, m) => problems.push(m) });
  docs.forEach((d, i) => r.push(d, i + 1));
  r.end();
  return { rows, problems };
}

test('field paths: dotted, bracketed and JSON pointers (with ~0 and ~1) reach the same values', () => {
  const doc = { a: { 'b/c': [10, { d: 'x' }], 'e~f': 2, g: { h: [1, 2, 3] } } };
  assert.deepEqual(parseFieldPath('a.g.h[2]'), ['a', 'g', 'h', '2']);
  assert.equal(valueAt(doc, parseFieldPath('a.g.h[2]')), 3);
  assert.equal(valueAt(doc, parseFieldPath('a.g.h.0')), 1);
  assert.equal(valueAt(doc, parseFieldPath('/a/b~1c/1/d')), 'x');
  assert.equal(valueAt(doc, parseFieldPath('/a/e~0f')), 2);
  assert.equal(valueAt(doc, parseFieldPath('a.missing.x')), undefined);
  assert.equal(valueAt(doc, parseFieldPath('a.g.h.x')), undefined);
  assert.throws(() => parseFieldPath('a..b'), { message: "field path 'a..b' is malformed (use a.b.0 or a.b[0], or a JSON pointer /a/b/0)" });
  assert.deepEqual(validateEnvelopeMapping({ prediction: 'p', colour: 'x' }), ["unknown role 'colour' (roles: features, prediction, probabilities, label, timestamp, id, segment)", "'features' is required"]);
});

test('SageMaker: a CSV batch of three rows with a CSV output line gives three rows with event ids and the inference time', () => {
  const doc = {
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2.5,a\n3,4.5,b\n5,6.5,c', encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: '0\n1\n1', encoding: 'CSV' },
    },
    eventMetadata: { eventId: 'e1', inferenceTime: '2026-01-01T00:00:00Z' },
  };
  assert.equal(envelopeFormatOf(doc), 'sagemaker-capture');
  const { rows, problems } = read('sagemaker-capture', [doc]);
  assert.deepEqual(problems, []);
  assert.deepEqual(rows.map((r) => r.record), [
    { feature_0: 1, feature_1: 2.5, feature_2: 'a', prediction: 0, event_id: 'e1-0', timestamp: '2026-01-01T00:00:00Z' },
    { feature_0: 3, feature_1: 4.5, feature_2: 'b', prediction: 1, event_id: 'e1-1', timestamp: '2026-01-01T00:00:00Z' },
    { feature_0: 5, feature_1: 6.5, feature_2: 'c', prediction: 1, event_id: 'e1-2', timestamp: '2026-01-01T00:00:00Z' },
  ]);
});

test('SageMaker: base64 that decodes to bytes that are not UTF-8 is refused with the field named', () => {
  const doc = { captureData: { endpointInput: { data: Buffer.from([0xff, 0xfe, 0x41]).toString('base64'), encoding: 'BASE64' }, endpointOutput: { data: '1', encoding: 'CSV' } } };
  assert.deepEqual(read('sagemaker-capture', [doc]).problems, ['line 1: captureData.endpointInput.data decodes from base64 to bytes that are not UTF-8 text; skipped']);
});

test('KServe v2: input and output tensors split into rows by their first dimension, response before request', () => {
  const base = { specversion: '1.0', id: 'x', source: 's' };
  const request = { ...base, type: 'org.kubeflow.serving.inference.request', data: { inputs: [{ name: 'input-0', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] } };
  const response = { ...base, type: 'org.kubeflow.serving.inference.response', data_base64: Buffer.from(JSON.stringify({ outputs: [{ name: 'output-0', shape: [2, 2], datatype: 'FP32', data: [0.9, 0.1, 0.2, 0.8] }] })).toString('base64') };
  const { rows, problems } = read('kserve-cloudevents', [response, request]);
  assert.deepEqual(problems, []);
  assert.deepEqual(rows.map((r) => [r.line, r.record]), [
    [2, { feature_0: 1, feature_1: 2, feature_2: 3, probabilities: [0.9, 0.1], event_id: 'x-0' }],
    [2, { feature_0: 4, feature_1: 5, feature_2: 6, probabilities: [0.2, 0.8], event_id: 'x-1' }],
  ]);
});

test('a field mapping: roles by path, a missing prediction skips the document with its line', () => {
  const mapping = { features: 'request.body', prediction: '/response/0', id: 'meta.rid' };
  const { rows, problems } = read(mapping, [
    { request: { body: { a: 1, b: 'x' } }, response: [7], meta: { rid: 'r1' } },
    { request: { body: [3, 4] }, response: [], meta: { rid: 'r2' } },
  ]);
  assert.deepEqual(rows.map((r) => r.record), [{ a: 1, b: 'x', prediction: 7, id: 'r1' }]);
  assert.deepEqual(problems, ["line 2: prediction path 'response.0' is missing; skipped"]);
});

test('SageMaker JSON rows: outputs join the parsed features in place, in the same column order, and a __proto__ output stays a column', () => {
  const rows: EnvelopeRow[] = [];
  const reader = envelopeReader('sagemaker-capture', { row: (r) => rows.push(r), problem: () => assert.fail('no problem expected') });
  const capture = (input: string, output: string) => ({
    captureData: { endpointInput: { observedContentType: 'application/json', data: input, encoding: 'JSON' }, endpointOutput: { observedContentType: 'application/json', data: output, encoding: 'JSON' } },
    eventMetadata: { eventId: 'e1', inferenceTime: '2026-01-01T00:00:00Z' },
  });
  reader.push(JSON.parse(JSON.stringify(capture('{"a":1,"score":0.1,"b":2}', '{"score":0.9,"prediction":"1"}'))), 1);
  reader.push(JSON.parse(JSON.stringify(capture('{"a":1}', '{"__proto__":{"polluted":true},"prediction":"0"}'))), 2);
  assert.deepEqual(Object.keys(rows[0]!.record), ['a', 'score', 'b', 'prediction', 'event_id', 'timestamp']);
  assert.equal(rows[0]!.record.score, 0.9);
  const second = rows[1]!.record;
  assert.equal(Object.getPrototypeOf(second), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(second, '__proto__')?.value, { polluted: true });
  assert.equal((second as { polluted?: unknown }).polluted, undefined);
});

test('a field mapping keeps a payload column named __proto__ as a column, never as the row\'s prototype', () => {
  const { rows, problems } = read({ features: 'body.x', prediction: 'out' }, [JSON.parse('{"body":{"x":{"a":1,"__proto__":{"polluted":true}}},"out":"1"}')]);
  assert.deepEqual(problems, []);
  const record = rows[0]!.record;
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  assert.equal((record as { polluted?: unknown }).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(record, '__proto__')?.value, { polluted: true });
  assert.equal(record.a, 1);
});

test('KServe v2: a tensor named __proto__ never becomes the row\'s prototype, and a mapped __proto__ column keeps its place', () => {
  const request = { specversion: '1.0', id: 'r1', source: 't', type: 'org.kubeflow.serving.inference.request', data: { inputs: [{ name: '__proto__', shape: [1, 2], datatype: 'FP32', data: [1, 2] }, { name: 'x', shape: [1], datatype: 'FP32', data: [3] }] } };
  const response = { specversion: '1.0', id: 'r1', source: 't', type: 'org.kubeflow.serving.inference.response', data: { outputs: [{ name: 'predict', shape: [1], datatype: 'INT64', data: [1] }] } };
  const { rows } = read('kserve-cloudevents', [request, response]);
  assert.equal(rows.length, 1);
  const record = rows[0]!.record;
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  assert.equal('length' in record, false);
  const mapped = read({ features: 'x', prediction: 'p' }, [JSON.parse('{"x":{"a":1,"__proto__":2,"b":3},"p":"0"}')]).rows[0]!.record;
  assert.deepEqual(Object.keys(mapped), ['a', '__proto__', 'b', 'prediction']);
});
