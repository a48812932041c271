// commonground progressive enhancement.
// Loaded as an ES module (deferred, strict mode). Every page works without it.
// Modules start from data-module attributes; no dependencies, no eval, no inline code.

/** How long the copy button says "Copied" before going back to "Copy". */
const COPIED_RESET_MS = 2000;

/** Focuses the error summary on load and makes its links move focus to the field. */
function initErrorSummary(summary) {
  summary.focus();
  summary.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (link && summary.contains(link) && focusField(link.hash.slice(1))) {
      event.preventDefault();
    }
  });
}

/** Focuses the field with the given id after scrolling its label or legend into view; returns false if not found. */
function focusField(id) {
  let decodedId = id;
  try {
    decodedId = decodeURIComponent(id);
  } catch (_error) {
    // Keep the raw fragment if it is not valid percent-encoding.
  }
  const field = decodedId ? document.getElementById(decodedId) : null;
  if (!field) {
    return false;
  }
  const heading = findFieldHeading(field);
  heading.scrollIntoView();
  field.focus({ preventScroll: true });
  return true;
}

/** Returns the element to scroll to: the form group's legend or label, else the field's own label, else the field. */
function findFieldHeading(field) {
  const group = field.closest('.app-form-group');
  const inGroup = group ? group.querySelector('legend, label') : null;
  if (inGroup) {
    return inGroup;
  }
  return (field.labels && field.labels[0]) || field;
}

/** Returns true when the asynchronous clipboard API can be used. */
function canCopy() {
  return Boolean(navigator.clipboard && typeof navigator.clipboard.writeText === 'function');
}

/** Adds a "Copy" button after the element that copies the text of its data-copy-target. */
function initCopy(element) {
  const targetId = element.getAttribute('data-copy-target');
  const target = targetId ? document.getElementById(targetId) : null;
  if (!target || !canCopy()) {
    return;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'app-button app-button--secondary';
  button.textContent = 'Copy';
  const status = document.createElement('span');
  status.className = 'app-u-visually-hidden';
  status.setAttribute('role', 'status');
  element.after(button, status);

  let timer = 0;
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(target.textContent.trim()).then(() => {
      button.textContent = 'Copied';
      status.textContent = 'Copied to clipboard';
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        button.textContent = 'Copy';
        status.textContent = '';
      }, COPIED_RESET_MS);
    }, () => {
      // Copy refused (for example permission denied): leave the button as it is.
    });
  });
}

/** Asks the user to confirm before the form is submitted. */
function initConfirm(form) {
  const message = form.getAttribute('data-confirm');
  if (!message) {
    return;
  }
  form.addEventListener('submit', (event) => {
    if (!window.confirm(message)) {
      event.preventDefault();
    }
  });
}

/** How often a live progress area fetches the page again while emails are being sent. */
const PROGRESS_REFRESH_MS = 2000;

/**
 * Keeps a progress area up to date: fetches the same page and swaps in the area's new
 * content until the server stops marking it live. Without JavaScript, a refresh does the same.
 */
function initLiveProgress(area) {
  const refresh = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: 'same-origin' });
      if (!response.ok) {
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.getElementById(area.id);
      if (!fresh) {
        return;
      }
      area.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
      if (fresh.getAttribute('data-module') === 'live-progress') {
        window.setTimeout(refresh, PROGRESS_REFRESH_MS);
      }
    } catch (_error) {
      // A failed refresh leaves the last figures; reloading the page shows the latest.
    }
  };
  window.setTimeout(refresh, PROGRESS_REFRESH_MS);
}

/** Module names, as used in data-module, mapped to their start functions. */
const MODULES = {
  'error-summary': initErrorSummary,
  copy: initCopy,
  confirm: initConfirm,
  'live-progress': initLiveProgress,
};

/** Starts every module declared under root, once per element. */
function startModules(root) {
  root.querySelectorAll('[data-module]').forEach((element) => {
    if (element.hasAttribute('data-module-started')) {
      return;
    }
    element.setAttribute('data-module-started', '');
    const names = (element.getAttribute('data-module') || '').split(/\s+/);
    names.forEach((name) => {
      const start = Object.prototype.hasOwnProperty.call(MODULES, name) ? MODULES[name] : null;
      if (start) {
        start(element);
      }
    });
  });
}

startModules(document);
