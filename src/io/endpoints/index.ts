export { DEFAULT_MAX_BODY_BYTES, displayUrl, httpProbe, type HttpProbeOptions } from './httpProbe';
export { tcpProbe } from './tcpProbe';
export { checkGolden, fetchModelVersion, probeHealth, probeSeries, resolveProtocol, sendGolden, tcpAddress, type EndpointTarget, type ProbeSeriesOptions } from './prober';
export { AccessLogReader, AccessLogTail, readAccessLog } from './accessLogFile';
export { fetchServerMetrics } from './metricsPage';
