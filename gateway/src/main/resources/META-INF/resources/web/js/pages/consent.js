// Consent capture at the bedside: the patient's choice per purpose, the photos shown to the patient,
// a signature drawn on screen, then a review with the photos before the final confirmation. Stored
// as the FHIR Consent the EHR also uses (POST /fhir/Consent) with the signed form (a PNG of the
// choices and the signature) as sourceAttachment and its SHA-256 (docs/fhir.md).
import { el, field, page, errorBox, formatDate, say } from '../ui.js';
import { request } from '../api.js';
import { patientForm } from './patient.js';
import { listPhotos } from './photos.js';
import { thumbnail } from './gallery.js';

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const PHOTO_PURPOSE = 'http://photobridge.org/fhir/CodeSystem/photo-consent-purpose';
export const PURPOSES = [
  { key: 'clinical-care', label: 'Clinical care: photos in my medical record for my care', system: ACT_REASON, code: 'TREAT' },
  { key: 'teaching', label: 'Teaching: education of doctors, nurses and students', system: ACT_REASON, code: 'TRAIN' },
  { key: 'publication', label: 'Publication: medical journals and conferences', system: PHOTO_PURPOSE, code: 'publication' },
  { key: 'marketing', label: 'Marketing: the practice website, social media, advertising', system: ACT_REASON, code: 'HMARKT' },
];

export async function consentPage(settings) {
  const area = el('section', { 'aria-label': 'Consent' });
  const { form } = patientForm(settings, { buttonText: 'Continue', lookup: false, onFound: found => choices(settings, found, area) });
  page('Photography consent', form, area);
}

async function choices(settings, patient, area) {
  const boxes = PURPOSES.map(p => ({ purpose: p, input: el('input', { type: 'checkbox', name: p.key, checked: p.key === 'clinical-care' }) }));
  const specific = el('input', { type: 'checkbox', name: 'specific-use' });
  const specificText = el('input', { type: 'text', name: 'specific-use-description' });
  const specificStart = el('input', { type: 'date', name: 'specific-use-start' });
  const specificEnd = el('input', { type: 'date', name: 'specific-use-end' });
  const specificFields = el('div', { class: 'row', hidden: true },
    field('The use', specificText, 'For example: one talk at a named congress'),
    field('From', specificStart), field('Until', specificEnd));
  specific.addEventListener('change', () => { specificFields.hidden = !specific.checked; });
  const encounter = el('input', { type: 'text', name: 'encounter', autocomplete: 'off' });
  const photosArea = el('div', { class: 'grid', 'aria-live': 'polite' });
  const shownPhotos = [];
  const loadPhotos = el('button', { type: 'button', class: 'secondary' }, 'Show the photos to the patient');
  loadPhotos.addEventListener('click', async () => {
    const value = encounter.value.trim();
    try {
      const listing = await listPhotos(patient.system, patient.value,
        value ? settings.encounterIdentifierSystem + '|' + value : null);
      shownPhotos.splice(0, shownPhotos.length, ...listing.photos);
      photosArea.replaceChildren(...(listing.photos.length ? listing.photos.map(p => thumbnail(p, { link: false }))
        : [el('p', {}, 'No photos yet.')]));
    } catch (error) {
      photosArea.replaceChildren(errorBox(error));
    }
  });
  const pad = signaturePad();
  const message = el('div', { 'aria-live': 'polite' });
  const form = el('form', { novalidate: true, id: 'consent-choices' },
    el('fieldset', {}, el('legend', {}, 'The patient agrees to photographs being used for'),
      boxes.map(b => el('label', { class: 'inline' }, b.input, b.purpose.label)),
      el('label', { class: 'inline' }, specific, 'A specific use, for a stated period'),
      specificFields),
    el('fieldset', {}, el('legend', {}, 'Photos the patient has seen'),
      field('Encounter number (optional)', encounter, 'Leave empty to show all photos of the patient'),
      el('div', { class: 'actions' }, loadPhotos), photosArea),
    el('fieldset', {}, el('legend', {}, 'Signature of the patient'),
      pad.wrapper),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Review')),
    message);
  form.addEventListener('submit', event => {
    event.preventDefault();
    const chosen = boxes.filter(b => b.input.checked).map(b => b.purpose);
    const use = specific.checked ? { text: specificText.value.trim(), start: specificStart.value, end: specificEnd.value } : null;
    const problem = !chosen.length && !use ? 'Choose at least one use, or record a refusal on paper.'
      : use && (!use.text || !use.start || !use.end) ? 'Describe the specific use and give its period.'
      : use && use.end < use.start ? 'The specific use ends before it starts.'
      : pad.empty() ? 'The patient has not signed yet.' : null;
    if (problem) {
      message.replaceChildren(el('p', { class: 'error', role: 'alert' }, problem));
      return;
    }
    review(settings, patient, { chosen, use, photos: shownPhotos.slice(), signature: pad.canvas }, area);
  });
  area.replaceChildren(form);
}

function signaturePad() {
  const canvas = el('canvas', { class: 'signature', width: 600, height: 180, role: 'img',
    'aria-label': 'Signature area: the patient signs here with a finger or a stylus' });
  const clear = el('button', { type: 'button', class: 'secondary' }, 'Clear the signature');
  const context = canvas.getContext('2d');
  let drawing = false;
  let strokes = 0;
  function position(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  canvas.addEventListener('pointerdown', event => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.lineWidth = 3;
    context.lineCap = 'round';
    context.strokeStyle = '#111';
    context.beginPath();
    context.moveTo(...position(event));
  });
  canvas.addEventListener('pointermove', event => {
    if (!drawing) return;
    context.lineTo(...position(event));
    context.stroke();
    strokes += 1;
  });
  canvas.addEventListener('pointerup', () => { drawing = false; });
  clear.addEventListener('click', () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  });
  return { canvas, wrapper: el('div', {}, canvas, el('div', { class: 'actions' }, clear)), empty: () => strokes < 3 };
}

function review(settings, patient, consent, area) {
  const confirm = el('button', { type: 'button', id: 'confirm-consent' }, 'Confirm and store the consent');
  const back = el('button', { type: 'button', class: 'secondary' }, 'Change');
  const message = el('div', { 'aria-live': 'polite' });
  const signature = el('img', { alt: 'The patient\'s signature', class: 'signature-preview' });
  consent.signature.toBlob(blob => {
    const url = URL.createObjectURL(blob);
    signature.onload = () => URL.revokeObjectURL(url);
    signature.src = url;
  });
  const previous = [...area.childNodes];
  back.addEventListener('click', () => area.replaceChildren(...previous));
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      const stored = await store(patient, consent);
      message.replaceChildren(el('p', { class: 'ok', id: 'consent-stored', dataset: { consentId: stored.id || '' } },
        'Consent stored' + (stored.id ? ' (Consent/' + stored.id + ')' : '') + '.'));
      say('Consent stored');
      back.hidden = true;
      confirm.hidden = true;
    } catch (error) {
      message.replaceChildren(errorBox(error));
      confirm.disabled = false;
    }
  });
  area.replaceChildren(el('section', { id: 'consent-review', 'aria-labelledby': 'review-title' },
    el('h2', { id: 'review-title' }, 'Please check with the patient'),
    el('h3', {}, 'Uses agreed'),
    el('ul', {}, consent.chosen.map(p => el('li', {}, p.label)),
      consent.use ? el('li', {}, 'Specific use: ' + consent.use.text + ' (' + consent.use.start + ' to ' + consent.use.end + ')') : ''),
    el('h3', {}, 'The photos this consent refers to'),
    consent.photos.length ? el('div', { class: 'grid' }, consent.photos.map(p => thumbnail(p, { link: false })))
      : el('p', {}, 'No photos were shown; the consent covers the patient\'s photos in general.'),
    el('h3', {}, 'Signature'), signature,
    el('div', { class: 'actions' }, back, confirm), message));
  confirm.focus();
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map(b => b.toString(16).padStart(2, '0')).join('');
}

function base64(buffer) {
  let text = '';
  for (const b of new Uint8Array(buffer)) text += String.fromCharCode(b);
  return btoa(text);
}

/** The signed form: the choices and the signature drawn into one PNG. */
async function signedForm(patient, consent, when) {
  const canvas = document.createElement('canvas');
  const lines = ['Photography consent', 'Patient ' + patient.value + ' (' + patient.system + ')', 'Signed ' + formatDate(when), '',
    'Agreed uses:', ...consent.chosen.map(p => ' - ' + p.label),
    ...(consent.use ? [' - Specific use: ' + consent.use.text + ', ' + consent.use.start + ' to ' + consent.use.end] : []),
    'Photos shown: ' + consent.photos.length];
  canvas.width = 800;
  canvas.height = 40 + lines.length * 26 + consent.signature.height + 20;
  const c = canvas.getContext('2d');
  c.fillStyle = '#fff';
  c.fillRect(0, 0, canvas.width, canvas.height);
  c.fillStyle = '#000';
  c.font = '18px sans-serif';
  lines.forEach((line, i) => c.fillText(line, 20, 36 + i * 26));
  c.drawImage(consent.signature, 20, 40 + lines.length * 26);
  const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
  return blob.arrayBuffer();
}

export function consentResource(patient, consent, when, form) {
  const dataRefs = consent.photos.filter(p => p.sopInstanceUid).map(p => ({
    meaning: 'instance', reference: { identifier: { system: 'urn:dicom:uid', value: 'urn:oid:' + p.sopInstanceUid } } }));
  const permits = [];
  const general = consent.chosen.filter(p => p.key === 'clinical-care');
  const release = consent.chosen.filter(p => p.key !== 'clinical-care');
  if (general.length) permits.push({ type: 'permit', purpose: general.map(p => ({ system: p.system, code: p.code })) });
  if (release.length) {
    const provision = { type: 'permit', purpose: release.map(p => ({ system: p.system, code: p.code })) };
    if (dataRefs.length) provision.data = dataRefs;
    permits.push(provision);
  }
  if (consent.use) {
    const provision = {
      extension: [{ url: 'http://photobridge.org/fhir/StructureDefinition/specific-use-description', valueString: consent.use.text }],
      type: 'permit', period: { start: consent.use.start, end: consent.use.end },
      purpose: [{ system: PHOTO_PURPOSE, code: 'specific-use' }] };
    if (dataRefs.length) provision.data = dataRefs;
    permits.push(provision);
  }
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { identifier: { system: patient.system, value: patient.value } },
    dateTime: when,
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: { type: 'deny', provision: permits },
    sourceAttachment: {
      extension: [{ url: 'http://photobridge.org/fhir/StructureDefinition/attachment-sha256', valueString: form.sha256 }],
      contentType: 'image/png', data: form.base64, title: 'Signed photography consent', creation: when },
  };
}

async function store(patient, consent) {
  const when = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const bytes = await signedForm(patient, consent, when);
  const form = { base64: base64(bytes), sha256: hex(await crypto.subtle.digest('SHA-256', bytes)) };
  const answer = await request('POST', '/fhir/Consent', {
    json: consentResource(patient, consent, when, form),
    headers: { 'Content-Type': 'application/fhir+json' }, accept: 'application/fhir+json' });
  return answer.json();
}
