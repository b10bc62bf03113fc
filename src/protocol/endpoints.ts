/** What the endpoint dashboard and the tree show of one probed endpoint. */
export interface EndpointView {
  readonly name: string;
  /** Without credentials. */
  readonly url: string;
  readonly protocol: string;
  readonly state: 'unknown' | 'up' | 'degraded' | 'down' | 'off';
  readonly lastMs: number | null;
  readonly lastMessage: string | null;
  readonly availability: number | null;
  readonly latency: { readonly p50: number | null; readonly p90: number | null; readonly p99: number | null; readonly max: number | null };
  readonly errors: Readonly<Record<string, number>>;
  readonly burnRate: number | null;
  readonly modelVersion: string | null;
  readonly certDaysLeft: number | null;
  readonly golden: { readonly at: number; readonly checked: number; readonly mismatched: readonly { readonly line: number; readonly path: string; readonly message: string }[]; readonly integrityAlert?: string } | null;
  readonly traffic: {
    readonly requests: number;
    readonly errors: number;
    readonly errorRate: number;
    readonly ratePerS: number | null;
    readonly p50: number | null;
    readonly p99: number | null;
    readonly bytesSent: number;
    readonly routes: readonly { readonly route: string; readonly requests: number; readonly errors: number; readonly p99: number | null }[];
  } | null;
  /** Oldest first: epoch ms, success, total ms of a success, failure class of a failure. */
  readonly history: readonly { readonly at: number; readonly ok: boolean; readonly ms: number | null; readonly failure: string | null }[];
  readonly alerts: readonly { readonly kind: string; readonly severity: string; readonly message: string; readonly at: number }[];
}

export interface EndpointsState {
  readonly endpoints: readonly EndpointView[];
  /** Why nothing is probed (an untrusted workspace, no endpoint configured), or null. */
  readonly status: string | null;
}
