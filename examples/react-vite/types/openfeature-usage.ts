// onstage/openfeature with the real web SDK.
import { OpenFeature } from '@openfeature/web-sdk';
import { HOLDOUT, OnstageWebProvider } from 'onstage/openfeature';
import type { Onstage } from 'onstage';

export async function wire(config: { version: 1 }, instance: Onstage): Promise<void> {
  await OpenFeature.setProviderAndWait(new OnstageWebProvider({ config, tzOffsetMinutes: 0 }));
  OpenFeature.setProvider('shared', new OnstageWebProvider({ instance }));
  await OpenFeature.setContext({ targetingKey: 'ada', role: 'admin', entitlements: { seats_active: 9 } });
  const client = OpenFeature.getClient();
  const details = client.getStringDetails('banner', 'none');
  if (details.reason === HOLDOUT) console.log('held out', details.flagMetadata.experience);
  const content = client.getObjectValue('banner', { title: 'none' });
  console.log(details.variant, content);
  client.track('report_created', { value: 1 });
  // @ts-expect-error the provider needs a config or an instance
  new OnstageWebProvider();
}
