export declare const APP_ROOT: string;
export declare const PORTS: { app: number; idp: number; api: number; recorder: number };
export interface Stack {
  idp: { issuer: string; close(): Promise<void> };
  api: { url: string; close(): Promise<void> };
  recorder: { url: string; close(): Promise<void> };
  app: { url: string; close(): Promise<void> };
  close(): Promise<void[]>;
}
export declare function startStack(options?: {
  flow?: string;
  ports?: typeof PORTS;
  accessTokenTtl?: number;
  log?: (line: string) => void;
}): Promise<Stack>;
