export declare const USERS: Record<string, { password: string; name: string; email: string }>;
export declare const INTROSPECTOR: { client_id: string; client_secret: string };
export declare const ACR: { password: string; mfa: string };
export declare const ONE_TIME_CODE: string;
export declare function startIdp(options?: {
  port?: number;
  appOrigins?: string[];
  apiOrigin?: string;
  accessTokenTtl?: number;
  shortAccessTokenTtl?: number;
  log?: (line: string) => void;
  host?: string;
  crossSiteCookies?: boolean;
}): Promise<{ issuer: string; close(): Promise<void> }>;
