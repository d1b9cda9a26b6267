/**
 * The standard claims of OpenID Connect, typed, so that `user()?.name`
 * compiles under Angular's default `noPropertyAccessFromIndexSignature`.
 * Every one is optional: a provider sends those the granted scopes allow.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 */
export interface StandardClaims {
  /** Full name. */
  readonly name?: string;
  /** Given or first name. */
  readonly given_name?: string;
  /** Surname or last name. */
  readonly family_name?: string;
  /** Middle name. */
  readonly middle_name?: string;
  /** Casual name. */
  readonly nickname?: string;
  /** The name the user wants to be known by, such as a login name. */
  readonly preferred_username?: string;
  /** Profile page URL. */
  readonly profile?: string;
  /** Profile picture URL. */
  readonly picture?: string;
  /** Web page or blog URL. */
  readonly website?: string;
  /** Preferred e-mail address. */
  readonly email?: string;
  /** True when the provider verified the e-mail address. */
  readonly email_verified?: boolean;
  /** Gender. */
  readonly gender?: string;
  /** Birthday, `YYYY-MM-DD` (or `YYYY`). */
  readonly birthdate?: string;
  /** Time zone, such as `Europe/Paris`. */
  readonly zoneinfo?: string;
  /** Locale, a BCP 47 tag such as `fr-FR`. */
  readonly locale?: string;
  /** Preferred telephone number. */
  readonly phone_number?: string;
  /** True when the provider verified the telephone number. */
  readonly phone_number_verified?: boolean;
  /** Preferred postal address (OIDC Core 5.1.1). */
  readonly address?: {
    /** The full address, for display; lines may be separated by newlines. */
    readonly formatted?: string;
    /** Street, house number and the like; lines may be separated by newlines. */
    readonly street_address?: string;
    /** City or locality. */
    readonly locality?: string;
    /** State, province, prefecture or region. */
    readonly region?: string;
    /** Zip or postal code. */
    readonly postal_code?: string;
    /** Country name. */
    readonly country?: string;
  };
  /** When the information was last updated, seconds since the epoch. */
  readonly updated_at?: number;
}
