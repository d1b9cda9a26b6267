export declare const FLOWS: readonly string[];
export declare function demoConfig(
  flow: string,
  origins: { appOrigin: string; issuer: string; apiUrl: string; apiOrigin: string; partner?: { issuer: string; apiOrigin: string } },
): Record<string, unknown> | Record<string, unknown>[];
export declare const PARTNER: { issuer: string; apiOrigin: string };
export declare function startAppServer(options: {
  port?: number;
  root: string;
  flow?: string;
  issuer?: string;
  apiOrigin?: string;
  partner?: { issuer: string; apiOrigin: string };
  overrides?: Record<string, unknown>;
}): Promise<{ close(): Promise<void> }>;
