import type { FailureClass } from './types';

/** TLS-related error codes of Node's tls module and OpenSSL, as they reach `error.code`. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The failure class of a socket or request error code (ECONNREFUSED, ENOTFOUND, ...). */
export function classifyErrorCode(code: string | undefined): FailureClass {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'HPE_INVALID_CONSTANT':
      return 'reset';
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'))) return 'tls';
  return 'network';
}

/** The class of a completed HTTP exchange's status, or undefined for 1xx-3xx. */
export function classifyStatus(status: number): FailureClass | undefined {
  if (status >= 500) return 'http-5xx';
  if (status >= 400) return 'http-4xx';
  return undefined;
}

const WORDS: Record<FailureClass, string> = {
  refused: 'connection refused',
  dns: 'host name not found',
  timeout: 'timed out',
  tls: 'TLS handshake failed',
  'http-4xx': 'client error',
  'http-5xx': 'server error',
  malformed: 'malformed response',
  reset: 'connection closed mid-response',
  'too-large': 'response body over the limit',
  network: 'network error',
};

/** A one-line message naming the class first: "timed out: no response within 2000 ms". */
export function failureMessage(failure: FailureClass, detail: string): string {
  return detail ? `${WORDS[failure]}: ${detail}` : WORDS[failure];
}
