export { readPredictionRecords } from './records';
