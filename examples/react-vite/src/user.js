// Who the (fake) signed-in user is: the tests pick one with ?user=...,
// and their seats with ?seats=... (9 of 10 puts an admin in expansion).
const params = new URLSearchParams(location.search);

export const userId = params.get('user') ?? 'ada';
export const identity = {
  attributes: { id: userId, role: 'admin' },
  entitlements: { seats_licensed: 10, seats_active: Number(params.get('seats') ?? 4), limits: { api_units: 10000 } },
};
export const inspect = params.has('inspect');

/** Where the app's analytics would receive exposures: the tests read it. */
export const analytics = (window.__analytics = []);
