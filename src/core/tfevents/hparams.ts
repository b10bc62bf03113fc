// The hparams plugin's HParamsPluginData: experiment, session start (values) and session end.
import type { HParamValue, HParamsInfo } from './event';
import { ProtoReader, WIRE_BYTES, WIRE_FIXED64 } from './protobuf';

/** Decodes HParamsPluginData (the plugin content of `_hparams_/*` values). */
export function readHParams(r: ProtoReader): HParamsInfo {
  const info: HParamsInfo = {};
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((2 << 3) | WIRE_BYTES)) info.experiment = readExperiment(r.sub());
    else if (key === ((3 << 3) | WIRE_BYTES)) info.sessionStart = readSessionStart(r.sub());
    else if (key === ((4 << 3) | WIRE_BYTES)) {
      const s = r.sub();
      const end = { status: 0, endTimeSecs: 0 };
      while (s.pos < s.end) {
        const k = s.key();
        if (k === 1 << 3) end.status = s.varint();
        else if (k === ((2 << 3) | WIRE_FIXED64)) end.endTimeSecs = s.double();
        else s.skip(k & 7);
      }
      info.sessionEnd = end;
    } else r.skip(key & 7);
  }
  return info;
}

function readExperiment(r: ProtoReader): NonNullable<HParamsInfo['experiment']> {
  const experiment = { hparams: [] as { name: string; type: number }[], metrics: [] as string[] };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((4 << 3) | WIRE_BYTES)) {
      const h = r.sub();
      const info = { name: '', type: 0 };
      while (h.pos < h.end) {
        const k = h.key();
        if (k === ((1 << 3) | WIRE_BYTES)) info.name = h.string();
        else if (k === 4 << 3) info.type = h.varint();
        else h.skip(k & 7);
      }
      experiment.hparams.push(info);
    } else if (key === ((5 << 3) | WIRE_BYTES)) {
      const m = r.sub();
      while (m.pos < m.end) {
        const k = m.key();
        if (k === ((1 << 3) | WIRE_BYTES)) {
          const name = m.sub();
          let group = '';
          let tag = '';
          while (name.pos < name.end) {
            const nk = name.key();
            if (nk === ((1 << 3) | WIRE_BYTES)) group = name.string();
            else if (nk === ((2 << 3) | WIRE_BYTES)) tag = name.string();
            else name.skip(nk & 7);
          }
          experiment.metrics.push(group ? `${group}/${tag}` : tag);
        } else m.skip(k & 7);
      }
    } else r.skip(key & 7);
  }
  return experiment;
}

function readSessionStart(r: ProtoReader): NonNullable<HParamsInfo['sessionStart']> {
  const start = { hparams: {} as Record<string, HParamValue>, groupName: '', startTimeSecs: 0 };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_BYTES)) {
      const entry = r.sub();
      let name = '';
      let value: HParamValue = '';
      while (entry.pos < entry.end) {
        const k = entry.key();
        if (k === ((1 << 3) | WIRE_BYTES)) name = entry.string();
        else if (k === ((2 << 3) | WIRE_BYTES)) value = readStructValue(entry.sub());
        else entry.skip(k & 7);
      }
      start.hparams[name] = value;
    } else if (key === ((4 << 3) | WIRE_BYTES)) start.groupName = r.string();
    else if (key === ((5 << 3) | WIRE_FIXED64)) start.startTimeSecs = r.double();
    else r.skip(key & 7);
  }
  return start;
}

/** google.protobuf.Value, reduced to a number, string or boolean. */
function readStructValue(r: ProtoReader): HParamValue {
  let value: HParamValue = '';
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((2 << 3) | WIRE_FIXED64)) value = r.double();
    else if (key === ((3 << 3) | WIRE_BYTES)) value = r.string();
    else if (key === 4 << 3) value = r.varint() !== 0;
    else r.skip(key & 7);
  }
  return value;
}
