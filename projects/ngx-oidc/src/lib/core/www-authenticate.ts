/*
 * Reading `WWW-Authenticate` challenges (RFC 9110 11.6.1): the UserInfo
 * endpoint's errors (RFC 6750 3) and a resource server's demand for a
 * stronger sign-in (RFC 9470 3). A step of the lazy chunks only: the
 * interceptor merely looks for the error code before it hands the header on.
 */

/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** The auth-scheme as sent (`Bearer`, `DPoP`); compare it case-insensitively (RFC 9110 11.1). */
  readonly scheme: string;
  /** Its auth-params, names lower-cased (RFC 9110 11.2), quoted values unescaped; the first of a repeated name wins. */
  readonly params: Readonly<Record<string, string>>;
}

/** What a resource server asks for with `insufficient_user_authentication` (RFC 9470 3). */
export interface StepUpChallenge {
  /** The acceptable `acr` values, space-separated, when the server named them. */
  readonly acrValues?: string;
  /** The largest acceptable age of the sign-in in seconds, when the server named one. */
  readonly maxAge?: number;
}

// RFC 9110 5.6.2 token, 5.6.4 quoted-string, 11.2 token68.
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
// A scheme stands alone: a token followed by '=' is a parameter, not the next challenge.
const SCHEME = new RegExp(`${TOKEN}(?=[ \\t,]|$)`, 'y');
const PARAM = new RegExp(`(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\]|\\\\.)*)"|(${TOKEN}))`, 'y');
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*[ \t]*(?=,|$)/y;
const SPACES = /[ \t]*/y;
const SEPARATORS = /[ \t,]*/y;

/**
 * The challenges of a `WWW-Authenticate` header, in order. A header that
 * stops making sense ends the list there: what came before it stands.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let at = 0;
  const read = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const match = pattern.exec(header);
    if (match) at = pattern.lastIndex;
    return match;
  };
  for (;;) {
    read(SEPARATORS);
    const scheme = read(SCHEME);
    if (!scheme) break;
    const params: Record<string, string> = {};
    read(SPACES);
    // RFC 9110 11.2: a scheme carries a token68 or auth-params; a token68 carries nothing we read.
    if (!read(TOKEN68)) {
      for (;;) {
        const before = at;
        read(SEPARATORS);
        const param = read(PARAM);
        if (!param) {
          // Not a parameter: the next challenge's scheme (or the end).
          at = before;
          break;
        }
        const name = param[1]!.toLowerCase();
        params[name] ??= param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
      }
    }
    challenges.push({ scheme: scheme[0], params });
  }
  return challenges;
}

/**
 * The demand of a `Bearer` or `DPoP` challenge with the error
 * `insufficient_user_authentication`, or `null` when the header makes none.
 * A `max_age` that is not a whole number of seconds is left out.
 * @see https://www.rfc-editor.org/rfc/rfc9470#section-3
 */
export function stepUpChallenge(header: string): StepUpChallenge | null {
  for (const { scheme, params } of parseChallenges(header)) {
    // RFC 9470 3 extends RFC 6750's Bearer challenge; RFC 9449 7.1 gives DPoP the same error codes.
    if (!/^(bearer|dpop)$/i.test(scheme) || params['error'] !== 'insufficient_user_authentication') continue;
    const acrValues = params['acr_values']?.trim();
    const maxAge = params['max_age'];
    return {
      ...(acrValues ? { acrValues } : {}),
      ...(maxAge !== undefined && /^\d+$/.test(maxAge) ? { maxAge: Number(maxAge) } : {}),
    };
  }
  return null;
}
