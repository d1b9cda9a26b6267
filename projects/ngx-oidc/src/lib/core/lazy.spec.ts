import { OidcError } from './errors';
import { lazy } from './lazy';

describe('lazy(): a chunk loaded once, retried after a failed load', () => {
  it('loads once and shares the module between callers', async () => {
    const load = jest.fn(async () => ({ value: 1 }));
    const get = lazy(load);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    await get();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fails a load as a transient NETWORK_ERROR with the reason, and tries again on the next call', async () => {
    const chunkError = new TypeError('Failed to fetch dynamically imported module');
    const load = jest.fn<Promise<{ value: number }>, []>().mockRejectedValueOnce(chunkError).mockResolvedValue({ value: 2 });
    const get = lazy(load);
    const failure = await get().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OidcError);
    expect(failure).toMatchObject({ code: 'NETWORK_ERROR', cause: { reason: chunkError } });
    await expect(get()).resolves.toEqual({ value: 2 });
    await get();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
