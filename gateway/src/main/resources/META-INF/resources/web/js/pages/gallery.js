// Gallery: patient → encounters (newest first) → photos grouped by body site and view. A photo
// opens full size; a clinician outside the photo's departments may break the glass with a reason.
import { el, field, page, errorBox, formatDate, say } from '../ui.js';
import { showImage, postJson } from '../api.js';
import { roles } from '../auth.js';
import { patientForm } from './patient.js';
import { listPhotos, listWithheld, byEncounter, takenAt } from './photos.js';

export async function galleryPage(settings) {
  const results = el('section', { 'aria-label': 'Photos', class: 'gallery' });
  const { form } = patientForm(settings, { buttonText: 'Show photos', lookup: false, onFound: found => show(found, results) });
  page('Gallery', form, results);
}

async function show(found, results) {
  results.replaceChildren(el('p', {}, 'Loading photos…'));
  let listing;
  try {
    listing = await listPhotos(found.system, found.value);
  } catch (error) {
    results.replaceChildren(errorBox(error));
    return;
  }
  const parts = [];
  if (listing.withheld) {
    const note = el('div', { class: 'notice', id: 'withheld-note' },
      el('p', {}, listing.withheld + ' photo' + (listing.withheld === 1 ? ' is' : 's are') + ' withheld: '
        + [listing.withdrawn ? listing.withdrawn + ' withdrawn by the patient' : '',
          listing.otherDepartments ? listing.otherDepartments + ' held by other departments' : ''].filter(Boolean).join(', ') + '.'));
    if (listing.otherDepartments && roles().includes('clinician')) {
      const open = el('button', { type: 'button', class: 'secondary' }, 'List them to break the glass');
      open.addEventListener('click', async () => {
        try {
          const withheld = await listWithheld(found.system, found.value);
          note.replaceChildren(note.firstChild, el('ul', { id: 'withheld-list' }, withheld.map(p => el('li', {},
            el('a', { href: '#/photo/' + encodeURIComponent(p.id) }, p.department + ' · ' + formatDate(p.acceptedAt))))));
        } catch (error) {
          note.append(errorBox(error));
        }
      });
      note.append(open);
    }
    parts.push(note);
  }
  if (!listing.photos.length) parts.push(el('p', {}, 'No photos you may see.'));
  for (const encounter of byEncounter(listing.photos)) {
    const section = el('section', { class: 'encounter', dataset: { encounter: encounter.key } },
      el('h2', {}, 'Encounter ' + encounter.label));
    section.append(el('div', { class: 'groups' }, [...encounter.groups].map(([label, photos]) =>
      el('div', { class: 'group' }, el('h3', {}, label), el('div', { class: 'grid' }, photos.map(photo => thumbnail(photo)))))));
    parts.push(section);
  }
  results.replaceChildren(...parts);
  say(listing.photos.length + ' photos shown');
}

export function thumbnail(photo, { link = true } = {}) {
  const img = el('img', { alt: 'Photo ' + (photo.view || '') + ' taken ' + formatDate(takenAt(photo)), width: 256, height: 192 });
  const figure = el('figure', { dataset: { photoId: photo.id } },
    link ? el('a', { href: '#/photo/' + encodeURIComponent(photo.id) }, img) : img,
    el('figcaption', {}, formatDate(takenAt(photo)) + (photo.status ? ' · ' + photo.status : '')));
  showImage(img, '/api/v1/photos/' + encodeURIComponent(photo.id) + '/thumbnail')
    .then(() => figure.classList.add('loaded'))
    .catch(error => figure.append(errorBox(error)));
  return figure;
}

/** One photo, full size; when hidden from the caller, a clinician may break the glass with a reason. */
export async function photoPage(settings, [id]) {
  const area = el('div', {});
  page('Photo', area);
  const img = el('img', { alt: 'The photo, full size', class: 'full', id: 'photo-full' });
  try {
    await showImage(img, '/api/v1/photos/' + encodeURIComponent(id) + '/rendered');
    area.replaceChildren(el('figure', {}, img), el('p', {}, el('a', { href: '#/gallery' }, 'Back to the gallery')));
  } catch (error) {
    if (error.status === 404 && roles().includes('clinician')) {
      // The gateway does not say whether the photo exists; the form is offered either way.
      area.replaceChildren(el('p', { class: 'notice' }, 'This photo is not open to your departments.'), breakGlassForm(id));
    } else {
      area.replaceChildren(errorBox(error));
    }
  }
}

function breakGlassForm(id) {
  const reason = el('textarea', { name: 'reason', rows: 3, required: true, minlength: 10, maxlength: 500 });
  const message = el('div', { 'aria-live': 'polite' });
  const form = el('form', { novalidate: true, id: 'break-glass' },
    el('fieldset', {},
      el('legend', {}, 'Break the glass'),
      el('p', {}, 'If this is an emergency and the photo belongs to another department, you may open it for a limited time. Your reason is recorded and reviewed by compliance.'),
      field('Reason', reason, 'Required, 10 to 500 characters: why you need this photo now'),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Open with break-the-glass')),
      message));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (!reason.value.trim()) {
      message.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Give a reason to break the glass.'));
      reason.focus();
      return;
    }
    try {
      const grant = await postJson('/api/v1/photos/' + encodeURIComponent(id) + '/break-glass', { reason: reason.value.trim() });
      const until = grant && grant.expiresAt;
      say('Access granted' + (until ? ' until ' + formatDate(until) : ''));
      await photoPage(null, [id]);
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}
