// The patient and encounter choice shared by the capture, consent, gallery and comparison pages.
import { el, field, identifierParam } from '../ui.js';
import { getJson } from '../api.js';

/**
 * A patient identifier form: MRN (with its system under "more") and an optional patient search.
 * onFound receives {system, value, patient, encounters} once the user looked the patient up or
 * pressed the button.
 */
export function patientForm(settings, { buttonText = 'Find patient', lookup = true, onFound }) {
  const mrn = el('input', { type: 'text', name: 'mrn', autocomplete: 'off', required: true, inputmode: 'text' });
  const system = el('input', { type: 'text', name: 'mrn-system', value: settings.patientIdentifierSystem || '' });
  const result = el('div', { class: 'patient-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'patient-form', novalidate: true },
    el('fieldset', {},
      el('legend', {}, 'Patient'),
      field('Medical record number (MRN)', mrn),
      el('details', {}, el('summary', {}, 'Identifier system'), field('Identifier system', system)),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, buttonText)),
      result));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const value = mrn.value.trim();
    if (!value) {
      result.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Enter the MRN.'));
      mrn.focus();
      return;
    }
    let found = { system: system.value.trim(), value, patient: null, encounters: [], source: null };
    if (lookup) {
      try {
        const answer = await getJson('/api/v1/patients?identifier=' + identifierParam(found.system, value));
        found = { ...found, ...normalisePatient(answer) };
        result.replaceChildren(describePatient(found));
      } catch (error) {
        result.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Patient lookup: ' + error.message));
        return;
      }
    } else {
      result.replaceChildren();
    }
    await onFound(found);
  });
  return { form, mrn };
}

/** The patient lookup's answer in the page's terms (see docs/api.md, GET /api/v1/patients). */
export function normalisePatient(answer) {
  return { patient: answer, encounters: (answer && answer.encounters) || [], source: answer && answer.source };
}

function describePatient(found) {
  const p = found.patient || {};
  const parts = [];
  if (p.name) parts.push(el('strong', {}, p.name.split('^').filter(Boolean).reverse().join(' ')));
  if (p.birthDate) parts.push(' · born ' + p.birthDate);
  if (p.sex) parts.push(' · ' + p.sex);
  const lines = [el('p', { class: 'patient-found' }, parts.length ? parts
    : p.found ? 'The gateway knows this patient.' : 'No photos or consents of this patient yet.')];
  // The API's own notice (why the EHR did not answer) replaces the generic one, not repeats it.
  lines.push(el('p', { class: 'hint' }, p.source === 'ehr' ? 'From the EHR; check the name and birth date with the patient.'
    : (p.notice ? p.notice.charAt(0).toUpperCase() + p.notice.slice(1) + '. ' : 'From the gateway alone (no EHR answer). ')
      + 'Confirm the patient\'s identity from the wristband.'));
  return el('div', {}, lines);
}

/** Encounter identifier of a photo or encounter entry, whatever shape the API gives it. */
export function encounterKey(item) {
  const e = item && item.encounter !== undefined ? item.encounter : item;
  if (!e) return '';
  if (typeof e === 'string') return e;
  const id = e.identifier || e;
  return id.value !== undefined ? (id.system ? id.system + '|' : '') + id.value : JSON.stringify(id);
}

export function encounterLabel(item) {
  const e = item && item.encounter !== undefined ? item.encounter : item;
  if (!e) return 'No encounter';
  if (typeof e === 'string') return e;
  const id = e.identifier || e;
  const date = e.lastPhotoAt;
  return (id.value || '') + (date ? ' · last photo ' + String(date).slice(0, 10) : '')
    + (e.photoCount !== undefined ? ' · ' + e.photoCount + ' photo' + (e.photoCount === 1 ? '' : 's') : '');
}
