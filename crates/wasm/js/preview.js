// Preview: the forms a page may write a preview in, made into the one list
// the engine takes: [{experience, variation}]. A URL parameter writes it as
// text: `?onstage-preview=upgrade_seats:roi,setup_checklist` (experience,
// then `:variation` if one is forced; several separated by commas).

/** The URL parameter read at `init` unless `previewParam` says otherwise. */
export const PREVIEW_PARAM = 'onstage-preview';

function badPreview(what) {
  const err = new Error(`onstage: a preview is an experience id, "experience:variation", {experience, variation?}, or a list of them (${what})`);
  err.code = 'bad_preview';
  return err;
}

function entry(item) {
  if (typeof item === 'string') {
    const [experience, variation, extra] = item.split(':').map((s) => s.trim());
    if (!experience || extra !== undefined || variation === '') throw badPreview(`found "${item}"`);
    return { experience, variation: variation ?? null };
  }
  if (item !== null && typeof item === 'object' && !Array.isArray(item) && typeof item.experience === 'string') {
    const { experience, variation = null } = item;
    if (variation !== null && typeof variation !== 'string') throw badPreview('a variation id is a string');
    return { experience, variation };
  }
  throw badPreview(`found ${item === null ? 'null' : typeof item}`);
}

/**
 * The list of previews in `spec`: null, undefined or "" for none; a string
 * ("exp", "exp:variation", comma-separated); an object; or an array of those.
 */
export function parsePreview(spec) {
  if (spec === null || spec === undefined || spec === '') return [];
  if (typeof spec === 'string') return spec.split(',').filter((s) => s.trim() !== '').map(entry);
  if (Array.isArray(spec)) return spec.map(entry);
  return [entry(spec)];
}

/** The preview a page's URL asks for (`param` in its query), or undefined. */
export function previewInUrl(param) {
  if (!param || typeof location === 'undefined' || typeof location.search !== 'string') return undefined;
  return new URLSearchParams(location.search).get(param) ?? undefined;
}
