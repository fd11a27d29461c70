// The patient's photos as the list endpoint returns them, grouped for the gallery and comparison.
import { request } from '../api.js';
import { identifierParam } from '../ui.js';
import { encounterKey, encounterLabel } from './patient.js';

/**
 * The patient's photos the caller may see, without withdrawn ones; `withheld` counts those the
 * caller does not see: withdrawn ones, and (told to clinicians only) those of other departments.
 */
export async function listPhotos(system, value, encounter) {
  let path = '/api/v1/photos?patient=' + identifierParam(system, value);
  if (encounter) path += '&encounter=' + encodeURIComponent(encounter);
  const answer = await request('GET', path);
  const body = await answer.json();
  const all = Array.isArray(body) ? body : body.photos || [];
  const photos = all.filter(p => p.status !== 'WITHDRAWN');
  const otherDepartments = Number(answer.headers.get('PhotoBridge-Withheld') || 0);
  return { photos, withdrawn: all.length - photos.length, otherDepartments, withheld: all.length - photos.length + otherDepartments };
}

/** The patient's photos held by other departments (clinicians only), to break the glass on one. */
export async function listWithheld(system, value) {
  const answer = await request('GET', '/api/v1/photos?patient=' + identifierParam(system, value) + '&withheld=true');
  const body = await answer.json();
  return Array.isArray(body) ? body : body.photos || [];
}

export function takenAt(photo) {
  return photo.takenAt || photo.capturedAt || photo.acceptedAt || '';
}

function siteCode(photo) {
  return photo.bodySite && typeof photo.bodySite === 'object' ? photo.bodySite.code : photo.bodySite || '';
}

export function siteLabel(photo) {
  const display = photo.bodySiteDisplay || (photo.bodySite && photo.bodySite.display);
  return display || (siteCode(photo) ? 'SNOMED CT ' + siteCode(photo) : 'Unknown site');
}

export function viewKey(photo) {
  const site = siteCode(photo);
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
