/**
 * Streaming concept-drift detectors with river 0.26's semantics (same defaults, parameter names,
 * reset-after-drift behaviour and detection indices).
 */
export type { DriftDetector, BinaryDriftDetector, ParamValue } from './detector';
export { DriftParameterError } from './detector';
export { ADWIN, type ADWINOptions } from './adwin';
export { PageHinkley, type PageHinkleyOptions, type DriftMode } from './page-hinkley';
export { KSWIN, type KSWINOptions, type KSWINSampler } from './kswin';
export { CUSUM, type CUSUMOptions } from './cusum';
export { DDM, type DDMOptions } from './ddm';
export { EDDM, type EDDMOptions } from './eddm';
export { HDDMA, type HDDMAOptions } from './hddm-a';
export { HDDMW, type HDDMWOptions } from './hddm-w';
export { FHDDM, type FHDDMOptions } from './fhddm';
export { PythonRandom } from './python-random';
export {
  type DetectorName,
  DETECTOR_NAMES,
  createDetector,
  detectorParams,
  detectorName,
  detectorParamNames,
  isBinaryDetector,
  isDetectorName,
  parseDetectorParam,
} from './registry';
