import { DRIFT_CHECK_MAX_ROWS, PredictionRecordCollector, type PredictionRecords } from '../../core/driftCheck';
import { readTextChunks } from '../predictions/logFile';

/** Reads a prediction log's rows for a drift check, stopping after `maxRows`. */
export async function readPredictionRecords(file: string, signal?: AbortSignal, maxRows = DRIFT_CHECK_MAX_ROWS): Promise<PredictionRecords> {
  const collector = new PredictionRecordCollector(maxRows);
  for await (const text of readTextChunks(file, 0, signal)) {
    collector.push(text);
    if (collector.full) break;
  }
  return collector.end();
}
