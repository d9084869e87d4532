// onstage/testing for users' own tests.
import { createTestOnstage, TEST_EPOCH } from 'onstage/testing';

export async function check(config: { version: 1 }): Promise<void> {
  const { onstage, clock } = await createTestOnstage({ config, attributes: { id: 't' }, now: new Date(TEST_EPOCH) });
  onstage.track('workspace_created');
  clock.advance('31m');
  clock.advance(60_000);
  clock.set(new Date('2026-02-01T00:00:00Z'));
  const now: number = clock.now();
  console.log(now, onstage.decide('home').experience);
  // @ts-expect-error durations are ms or "<n>m|h|d|w"
  clock.advance('soon');
  // @ts-expect-error a test instance keeps memory storage
  void createTestOnstage({ config, storage: localStorage });
}
