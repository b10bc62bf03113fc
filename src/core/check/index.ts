export * from './types';
export { applyPolicy, compareSeverity, isFailing, meetsFailOn } from './policy';
export { countsLine, decide } from './verdict';
export { plural } from '../charts/format';
export { judgeMonitor, unreadable, type MonitorIdentity } from './monitor';
export { toJUnitXml } from './junit';
export { toMarkdown, where } from './markdown';
export { escapeData, escapeProperty, toGithubAnnotations, withCodeSites } from './codeSites';
export { gpuAcknowledgement, predictionLogAcknowledgement, trainingAcknowledgement, type AcknowledgementScope } from './acknowledgements';
