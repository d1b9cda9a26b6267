export declare const FLOWS: readonly string[];
export declare function demoConfig(
  flow: string,
  origins: { appOrigin: string; issuer: string; apiUrl: string; apiOrigin: string },
): Record<string, unknown>;
