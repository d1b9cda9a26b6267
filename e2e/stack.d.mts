export declare const APP_ROOT: string;
export declare const PORTS: { app: number; idp: number; api: number; recorder: number; faults: number; partnerIdp: number; partnerApi: number };
export interface Stack {
  idp: { issuer: string; close(): Promise<void> };
  api: { url: string; counts(): Record<string, number>; close(): Promise<void> };
  recorder: { url: string; close(): Promise<void> };
  app: { url: string; close(): Promise<void> };
  /** The partner provider and its API, when their ports were given. */
  partner?: { idp: { issuer: string }; api: { url: string; audience: string } };
  /** The fault hook's control server, when started with `faults: true`. */
  faults?: { url: string; close(): Promise<void> };
  close(): Promise<void[]>;
}
export declare function startStack(options?: {
  flow?: string;
  ports?: Omit<typeof PORTS, 'faults' | 'partnerIdp' | 'partnerApi'> & { faults?: number; partnerIdp?: number; partnerApi?: number };
  accessTokenTtl?: number;
  log?: (line: string) => void;
  faults?: boolean;
  /** Other apps' origins allowed to sign in and to call the API (`npm start -- --app-origin=`). */
  extraAppOrigins?: string[];
}): Promise<Stack>;
