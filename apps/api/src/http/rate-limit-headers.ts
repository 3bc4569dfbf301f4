import type { dispatch } from '@wagate/contracts';

/** The policy's name in both fields: the account's send-rate bucket. */
const POLICY = 'account';

/**
 * The IETF `RateLimit-Policy` and `RateLimit` response fields
 * (draft-ietf-httpapi-ratelimit-headers-10: Structured Field lists of a policy name with
 * parameters) for the account's send-rate token bucket, so a client can pace itself instead of
 * learning its limit from 2301 callbacks. The bucket holds up to `burst` messages and refills at
 * `perSecond`, so the policy is `q` = burst messages per window `w` = the seconds a refill from
 * empty takes; `r` is the whole messages the bucket holds now and `t` the seconds until it is
 * full again (a message more may go every 1/perSecond seconds before that).
 */
export function rateLimitHeaders(
  bucket: dispatch.AccountRate,
): Record<'ratelimit-policy' | 'ratelimit', string> {
  const window = Math.max(1, Math.ceil(bucket.burst / bucket.perSecond));
  const remaining = Math.max(0, Math.floor(bucket.remaining));
  const untilFull = Math.max(0, Math.ceil((bucket.burst - bucket.remaining) / bucket.perSecond));
  return {
    'ratelimit-policy': `"${POLICY}";q=${bucket.burst};w=${window}`,
    ratelimit: `"${POLICY}";r=${remaining};t=${untilFull}`,
  };
}
