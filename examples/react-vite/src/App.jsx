import { OnstageProvider } from 'onstage/react';
import config from '../../../www/saas.json';
import { Actions } from './Actions.jsx';
import { Banner } from './Banner.jsx';
import { Checklist } from './Checklist.jsx';
import { DevInspector } from './DevInspector.jsx';
import { Stats } from './Stats.jsx';
import { analytics, identity, inspect, userId } from './user.js';

const options = {
  config,
  userId,
  ...identity,
  onExposure: (e) => analytics.push({ experiment: e.experiment, variation: e.variation }),
};

export function App() {
  return (
    <OnstageProvider options={options} fallback={<p data-testid="loading">Loading…</p>}>
      <header>
        <h1>Acme</h1> <small data-testid="user">{userId}</small>
      </header>
      <Banner />
      <main>
        <Checklist />
        <Actions />
        <Stats />
      </main>
      {inspect && <DevInspector />}
    </OnstageProvider>
  );
}
