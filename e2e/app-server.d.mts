export declare const FLOWS: readonly string[];
export declare function demoConfig(
  flow: string,
  origins: { appOrigin: string; issuer: string; apiUrl: string; apiOrigin: string },
): Record<string, unknown>;
export declare function startAppServer(options: {
  port?: number;
  root: string;
  flow?: string;
  issuer?: string;
  apiOrigin?: string;
  overrides?: Record<string, unknown>;
}): Promise<{ close(): Promise<void> }>;
