export declare const USERS: Record<string, { password: string; name: string; email: string }>;
export declare const INTROSPECTOR: { client_id: string; client_secret: string };
