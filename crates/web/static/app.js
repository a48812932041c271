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

/** Fields of the projector controls kept in step with the server after a control is used. */
const PROJECTOR_FIELDS = ['card', 'minutes'];

/** Where the projector page remembers whether single-key shortcuts are on. */
const PROJECTOR_KEYS_STORAGE = 'commonground.projector.single-keys';

/** Whole seconds as "m:ss". */
function minutesAndSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return `${minutes}:${rest}`;
}

/** Whether single-key shortcuts are on (WCAG 2.1.4: people who use speech input can turn them off). */
function singleKeysOn() {
  try {
    return window.localStorage.getItem(PROJECTOR_KEYS_STORAGE) !== 'off';
  } catch (_error) {
    return true;
  }
}

/** Remembers whether single-key shortcuts are on. */
function setSingleKeys(on) {
  try {
    window.localStorage.setItem(PROJECTOR_KEYS_STORAGE, on ? 'on' : 'off');
  } catch (_error) {
    // Storage refused: the choice lasts until the page is reloaded.
  }
}

/**
 * The projector page: keeps the live part up to date from the server's event stream, counts
 * the timer down, submits the control forms without leaving the page (so full screen stays on),
 * and maps keys to the same forms. The server stays the truth: every key posts a form.
 */
function initProjector(root) {
  const region = root.querySelector('[data-live]');
  const announcer = root.querySelector('[data-projector-announcer]');
  const partUrl = root.getAttribute('data-part-url');
  const liveUrl = root.getAttribute('data-live-url');
  if (!region || !partUrl) {
    return;
  }
  let clockOffset = 0;
  let singleKeys = singleKeysOn();

  const timerEnd = () => {
    const timer = region.querySelector('[data-timer-ends-at]');
    return timer ? Number(timer.getAttribute('data-timer-ends-at')) : 0;
  };
  const secondsLeft = () => Math.max(0, Math.round(timerEnd() - (Date.now() / 1000 + clockOffset)));
  const syncClock = () => {
    const timer = region.querySelector('[data-server-now]');
    const serverNow = timer ? Number(timer.getAttribute('data-server-now')) : NaN;
    clockOffset = Number.isFinite(serverNow) ? serverNow - Date.now() / 1000 : 0;
  };
  const tick = () => {
    const remaining = region.querySelector('[data-timer-remaining]');
    if (!remaining || !timerEnd()) {
      return;
    }
    const left = secondsLeft();
    remaining.textContent = left > 0 ? `${minutesAndSeconds(left)} left` : 'Time is up';
  };

  const noteIds = () => new Set(Array.from(region.querySelectorAll('[data-note-id]'), (note) => note.getAttribute('data-note-id')));
  const announceNew = (before) => {
    if (!announcer) {
      return;
    }
    const added = Array.from(region.querySelectorAll('[data-note-id]'))
      .filter((note) => !before.has(note.getAttribute('data-note-id')))
      .map((note) => {
        const text = note.querySelector('.app-projector__note-text');
        return `New note in ${note.getAttribute('data-note-kind')}: ${text ? text.textContent.trim() : ''}`;
      });
    if (added.length > 0) {
      announcer.textContent = added.join('. ');
    }
  };

  /** Puts the live part of `page` (a parsed document) on screen, keeping focus where it was. */
  const swap = (page) => {
    const fresh = page.querySelector('[data-live]') || page.body;
    const before = noteIds();
    const focused = document.activeElement && region.contains(document.activeElement)
      ? document.activeElement.closest('[data-note-id]')
      : null;
    const focusedId = focused ? focused.getAttribute('data-note-id') : null;
    region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
    startModules(region);
    announceNew(before);
    if (focusedId) {
      const again = region.querySelector(`[data-note-id="${CSS.escape(focusedId)}"] button`);
      if (again) {
        again.focus();
      }
    }
    syncClock();
    tick();
  };

  let refreshing = false;
  let pending = false;
  const refresh = async () => {
    if (refreshing) {
      pending = true;
      return;
    }
    refreshing = true;
    try {
      do {
        pending = false;
        // Sequential on purpose: a burst of changes needs one more read, not one each.
        const response = await fetch(partUrl, { credentials: 'same-origin' });
        if (response.ok) {
          swap(new DOMParser().parseFromString(await response.text(), 'text/html'));
        }
      } while (pending);
    } catch (_error) {
      // The next change, or a reload, shows the latest.
    } finally {
      refreshing = false;
    }
  };

  // Controls post in the background and show the answer, so full screen survives a key press.
  root.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-projector-control')) {
      return;
    }
    if (form.hasAttribute('data-projector-native')) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    const body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) {
      body.set(submitter.name, submitter.value);
    }
    const native = () => {
      // Show the server's own answer (such as an error message) the ordinary way.
      form.setAttribute('data-projector-native', '');
      form.requestSubmit(submitter || undefined);
    };
    try {
      const response = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin' });
      if (!response.ok || root.querySelector('.app-error-summary')) {
        native();
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      swap(page);
      PROJECTOR_FIELDS.forEach((id) => {
        const field = document.getElementById(id);
        const value = page.getElementById(id);
        if (field && value && field !== document.activeElement) {
          field.value = value.value;
        }
      });
    } catch (_error) {
      native();
    }
  });

  const press = (action) => {
    const button = root.querySelector(`button[name="action"][value="${action}"]`);
    if (!button || !button.form) {
      return false;
    }
    button.form.requestSubmit(button);
    return true;
  };
  const toggleFullScreen = () => {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const target = event.target;
    if (target instanceof Element && target.closest('input, select, textarea, [contenteditable]')) {
      return;
    }
    const keys = {
      ArrowRight: () => press('next_card'),
      ArrowLeft: () => press('previous_card'),
      PageDown: () => press('next_step'),
      PageUp: () => press('previous_step'),
    };
    const letters = {
      n: () => press('next_step'),
      p: () => press('previous_step'),
      t: () => press(secondsLeft() > 0 ? 'stop_timer' : 'start_timer'),
      f: () => {
        toggleFullScreen();
        return true;
      },
    };
    let action = Object.prototype.hasOwnProperty.call(keys, event.key) ? keys[event.key] : null;
    const letter = event.key.toLowerCase();
    if (!action && singleKeys && !event.shiftKey && Object.prototype.hasOwnProperty.call(letters, letter)) {
      action = letters[letter];
    }
    if (action && action()) {
      event.preventDefault();
    }
  });

  // Shortcut help, a switch for single-key shortcuts and a full screen button: only with JavaScript.
  const help = root.querySelector('[data-projector-keys]');
  if (help) {
    const label = document.createElement('label');
    label.className = 'app-projector__switch';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = singleKeys;
    box.addEventListener('change', () => {
      singleKeys = box.checked;
      setSingleKeys(singleKeys);
    });
    label.append(box, ' Use single-key shortcuts (N, P, T and F)');
    const full = document.createElement('button');
    full.type = 'button';
    full.className = 'app-button app-button--secondary';
    full.textContent = 'Full screen';
    full.addEventListener('click', toggleFullScreen);
    help.append(label, full);
    help.hidden = false;
  }

  syncClock();
  tick();
  window.setInterval(tick, 1000);
  if (liveUrl && 'EventSource' in window) {
    const source = new EventSource(liveUrl);
    source.addEventListener('change', () => {
      refresh();
    });
  }
}

/** Module names, as used in data-module, mapped to their start functions. */
const MODULES = {
  'error-summary': initErrorSummary,
  copy: initCopy,
  confirm: initConfirm,
  'live-progress': initLiveProgress,
  projector: initProjector,
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
