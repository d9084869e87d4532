// OpenFeature's React hooks over the onstage provider: flag keys are slot ids.
import { OpenFeature } from '@openfeature/web-sdk';
import { OpenFeatureProvider, useObjectFlagValue, useStringFlagDetails } from '@openfeature/react-sdk';
import { OnstageWebProvider } from 'onstage/openfeature';
import { createRoot } from 'react-dom/client';
import config from '../../../www/saas.json';
import { analytics, identity, userId } from './user.js';

const provider = new OnstageWebProvider({
  config,
  onExposure: (e) => analytics.push({ experiment: e.experiment, variation: e.variation }),
});
OpenFeature.setContext({ targetingKey: userId, ...identity.attributes, entitlements: identity.entitlements });
OpenFeature.setProvider(provider);
window.__openfeature = { OpenFeature, provider };

function Banner() {
  const { value, variant, reason, flagMetadata } = useStringFlagDetails('banner', 'none');
  const content = useObjectFlagValue('banner', {});
  return (
    <section data-testid="of-banner" data-value={value} data-variant={variant ?? ''} data-reason={reason} data-stage={flagMetadata.stage ?? ''}>
      {value === 'none' ? 'No message' : <strong>{content.title}</strong>}
    </section>
  );
}

function Home() {
  const home = useStringFlagDetails('home', 'none');
  return <section data-testid="of-home" data-value={home.value} data-reason={home.reason} />;
}

function Actions() {
  const client = OpenFeature.getClient();
  return (
    <nav>
      <button data-testid="of-blocked" onClick={() => client.track('premium_feature_blocked')}>Try warehouse sync</button>
      <button data-testid="of-seats" onClick={() => OpenFeature.setContext({ ...OpenFeature.getContext(), entitlements: { ...identity.entitlements, seats_active: 9 } })}>
        Nine seats used
      </button>
    </nav>
  );
}

createRoot(document.getElementById('root')).render(
  <OpenFeatureProvider>
    <Banner />
    <Home />
    <Actions />
  </OpenFeatureProvider>,
);
