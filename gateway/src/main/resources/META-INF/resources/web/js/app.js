// The single page: hash routes keep the in-memory tokens across navigation.
import { loadConfig, completeSignIn, current, roles, signIn, signOut, onChange } from './auth.js';
import { el, page, errorBox } from './ui.js';
import { capturePage } from './pages/capture.js';
import { consentPage } from './pages/consent.js';
import { galleryPage, photoPage } from './pages/gallery.js';
import { comparePage } from './pages/compare.js';
import { compliancePage } from './pages/compliance.js';
import { adminPage } from './pages/admin.js';

const CARE = ['photographer', 'clinician', 'consent-manager'];
const routes = {
  '/capture': { render: capturePage, roles: ['photographer'] },
  '/consent': { render: consentPage, roles: CARE },
  '/gallery': { render: galleryPage, roles: CARE },
  '/photo': { render: photoPage, roles: CARE },
  '/compare': { render: comparePage, roles: CARE },
  '/compliance': { render: compliancePage, roles: ['compliance-officer'] },
  '/admin': { render: adminPage, roles: ['gateway-admin'] },
};

let settings = null;

function homePage() {
  if (!current()) {
    page('PhotoBridge',
      el('p', {}, 'Clinical photographs, captured at the bedside and delivered to the PACS. Sign in with your hospital account.'),
      el('button', { type: 'button', id: 'sign-in', onclick: () => signIn({ returnTo: '#/' }) }, 'Sign in'));
    return;
  }
  const mine = roles();
  const links = [...document.querySelectorAll('#nav li')]
    .filter(li => li.dataset.roles.split(' ').some(r => mine.includes(r)))
    .map(li => el('li', {}, el('a', { href: li.firstElementChild.getAttribute('href') }, li.textContent)));
  page('PhotoBridge',
    el('p', {}, 'Choose what to do.'),
    links.length ? el('ul', { class: 'home-links' }, links) : el('p', {}, 'Your account has no PhotoBridge role.'));
}

function updateBar() {
  const session = current();
  const nav = document.getElementById('nav');
  nav.hidden = !session;
  document.getElementById('sign-out').hidden = !session;
  document.getElementById('who').textContent = session ? session.claims.preferred_username || '' : '';
  const mine = roles();
  for (const li of nav.querySelectorAll('li')) {
    li.hidden = !li.dataset.roles.split(' ').some(r => mine.includes(r));
  }
}

async function route() {
  updateBar();
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').filter(Boolean);
  const path = parts.length ? '/' + parts[0] : '/';
  const rest = parts.slice(1);
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === '#' + path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const target = routes[path];
  if (!target) {
    homePage();
  } else if (!current()) {
    page('Sign in needed', el('p', {}, 'Sign in to continue.'),
      el('button', { type: 'button', id: 'sign-in', onclick: () => signIn({ returnTo: location.hash }) }, 'Sign in'));
  } else if (!target.roles.some(r => roles().includes(r))) {
    page('Not available', el('p', {}, 'Your roles do not include this page.'));
  } else {
    try {
      await target.render(settings, rest.map(decodeURIComponent));
    } catch (error) {
      page('Something went wrong', errorBox(error));
    }
  }
  const main = document.getElementById('main');
  main.dataset.ready = hash;
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  try {
    settings = await loadConfig();
    await completeSignIn();
  } catch (error) {
    page('Sign-in problem', errorBox(error),
      el('button', { type: 'button', id: 'sign-in', onclick: () => signIn({ returnTo: '#/' }) }, 'Sign in again'));
    updateBar();
    document.getElementById('main').dataset.ready = 'error';
    return;
  }
  onChange(updateBar);
  window.addEventListener('hashchange', () => {
    route();
    document.getElementById('main').focus();
  });
  await route();
}

start();
