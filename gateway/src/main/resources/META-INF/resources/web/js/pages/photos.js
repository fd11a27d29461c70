// The patient's photos as the list endpoint returns them, grouped for the gallery and comparison.
import { getJson } from '../api.js';
import { identifierParam } from '../ui.js';
import { encounterKey, encounterLabel } from './patient.js';

export async function listPhotos(system, value, encounter) {
  let path = '/api/v1/photos?patient=' + identifierParam(system, value);
  if (encounter) path += '&encounter=' + encodeURIComponent(encounter);
  const answer = await getJson(path);
  const photos = Array.isArray(answer) ? answer : answer.photos || answer.items || [];
  return { photos, withheld: withheldNote(answer) };
}

function withheldNote(answer) {
  if (!answer || Array.isArray(answer)) return null;
  const w = answer.withheld;
  if (w === undefined || w === null || w === false || w === 0) return null;
  if (typeof w === 'number') return w;
  if (typeof w === 'object' && w.count !== undefined) return w.count || null;
  return true;
}

export function takenAt(photo) {
  return photo.takenAt || photo.capturedAt || photo.acceptedAt || '';
}

export function siteLabel(photo) {
  const site = photo.bodySite || {};
  return site.display || (site.code ? 'SNOMED CT ' + site.code : 'Unknown site');
}

export function viewKey(photo) {
  const site = photo.bodySite ? photo.bodySite.code : '';
  return site + '|' + (photo.view || '') + '|' + (photo.laterality || '');
}

export function viewLabel(photo) {
  return siteLabel(photo) + (photo.view ? ' · ' + photo.view : '') + (photo.laterality && photo.laterality !== 'U' ? ' · ' + photo.laterality : '');
}

/** Encounters (newest first), each with its photos grouped by body site and view. */
export function byEncounter(photos) {
  const encounters = new Map();
  for (const photo of photos) {
    const key = encounterKey(photo);
    if (!encounters.has(key)) encounters.set(key, { key, label: encounterLabel(photo), latest: '', groups: new Map() });
    const e = encounters.get(key);
    if (takenAt(photo) > e.latest) e.latest = takenAt(photo);
    const g = viewLabel(photo);
    if (!e.groups.has(g)) e.groups.set(g, []);
    e.groups.get(g).push(photo);
  }
  const list = [...encounters.values()].sort((a, b) => (b.latest > a.latest ? 1 : b.latest < a.latest ? -1 : 0));
  for (const e of list) {
    for (const photosOfView of e.groups.values()) photosOfView.sort((a, b) => (takenAt(b) > takenAt(a) ? 1 : -1));
  }
  return list;
}
