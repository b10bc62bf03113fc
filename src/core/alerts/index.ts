export {
  AlertBook,
  DEFAULT_ALERT_BOOK_OPTIONS,
  isAlertHistory,
  type AlertBookOptions,
  type AlertHistory,
  type AlertSeverity,
  type AlertSignal,
  type Incident,
  type IncidentEvent,
  type IncidentEventKind,
  type IncidentState,
  type Observation,
} from './incidents';
export { describeAlertKind, describeAlertSource, describeIncidentState } from './labels';
