//! A small WebDriver client for headless Chromium, with the axe-core check.
//!
//! The protocol is plain JSON over HTTP, so a few calls over reqwest cover what the tests need
//! (open a page, type, click, run a script, take a screenshot) without another HTTP and TLS
//! stack in the build.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The Tab key, for [`Browser::press`].
pub const TAB: &str = "\u{E004}";
/// The Enter key.
pub const ENTER: &str = "\u{E007}";
/// The right arrow key, which moves to and selects the next radio button of a group.
pub const ARROW_RIGHT: &str = "\u{E014}";

/// A headless Chromium session driven through chromedriver.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver_url: String,
    driver: Child,
    axe: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium profile; panics with the fix when either is missing.
    pub async fn start() -> Browser {
        let axe_path = std::env::var("COMMONGROUND_AXE_PATH").map_or_else(
            |_| repo_path("tests/browser/node_modules/axe-core/axe.min.js"),
            PathBuf::from,
        );
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {}: run `npm ci` in tests/browser ({e})",
                axe_path.display()
            )
        });
        let driver_bin =
            std::env::var("COMMONGROUND_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium =
            std::env::var("COMMONGROUND_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin}: install chromium-driver ({e})"));
        let http = reqwest::Client::new();
        let driver_url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{driver_url}/status")).send().await;
            if let Ok(response) = ready
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        // Without these flags Chromium keeps trying to reach the network, which is closed here.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": chromium, "args": args }
            }}
        });
        let response: Value = http
            .post(format!("{driver_url}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("session answer");
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start ({chromium}): {response}"))
            .to_owned();
        Browser {
            http,
            session,
            driver_url,
            driver,
            axe,
            _profile: profile,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.driver_url, self.session);
        let mut request = self.http.request(method.clone(), url);
        if method != reqwest::Method::GET {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .expect("webdriver answers")
            .json()
            .await
            .expect("json");
        if let Some(error) = answer["value"]["error"].as_str() {
            panic!("webdriver {path}: {error}: {}", answer["value"]["message"]);
        }
        answer["value"].clone()
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    /// Resizes the window (the viewport follows).
    pub async fn resize(&self, width: u32, height: u32) {
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            json!({ "width": width, "height": height }),
        )
        .await;
    }

    async fn find(&self, css: &str) -> String {
        let url = format!("{}/session/{}/element", self.driver_url, self.session);
        let body = json!({ "using": "css selector", "value": css });
        let answer: Value = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("webdriver answers")
            .json()
            .await
            .expect("json");
        if let Some(id) = answer["value"][ELEMENT].as_str() {
            return id.to_owned();
        }
        let shot = self.screenshot("missing element").await;
        panic!(
            "no element {css} on {:?} (screenshot {}): {answer}",
            self.title().await,
            shot.display()
        );
    }

    /// Types `text` into the field matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            json!({}),
        )
        .await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Chooses a file for the file input matching `css`.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let id = self.find(css).await;
        let text = path.display().to_string();
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    /// Presses and releases one key on whatever has focus, as a person would (`key` is a
    /// character or a WebDriver key code such as `\u{E014}`, the right arrow).
    pub async fn press_key(&self, key: char) {
        let key = key.to_string();
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]});
        self.command(reqwest::Method::POST, "/actions", actions)
            .await;
    }

    /// Clicks the button matching `css` and waits until the next page has loaded.
    pub async fn submit(&self, css: &str) {
        self.script("window.__cgOldPage = true;").await;
        self.click(css).await;
        self.wait_for_new_page(&format!("clicking {css}")).await;
    }

    /// Presses `keys` one after another on whatever has focus, as a keyboard does: WebDriver
    /// key codes such as [`TAB`], [`ENTER`], [`ARROW_RIGHT`], or plain characters (" " is Space).
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({ "type": "keyDown", "value": key }),
                    json!({ "type": "keyUp", "value": key }),
                ]
            })
            .collect();
        self.command(
            reqwest::Method::POST,
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await;
    }

    /// Presses `keys` (ending in one that sends a form) and waits until the next page has loaded.
    pub async fn press_and_wait(&self, keys: &str) {
        self.script("window.__cgOldPage = true;").await;
        self.press(keys).await;
        self.wait_for_new_page("pressing keys").await;
    }

    /// The focused element's id, or its tag name when it has none.
    pub async fn focused(&self) -> String {
        self.script(
            "const e = document.activeElement; return e ? (e.id || e.tagName.toLowerCase()) : '';",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    async fn wait_for_new_page(&self, after: &str) {
        let started = Instant::now();
        loop {
            let loaded = self
                .script("return window.__cgOldPage === undefined && document.readyState === 'complete';")
                .await;
            if loaded == true {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no new page after {after}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs `script` in the page and returns its result.
    pub async fn script(&self, script: &str) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    /// The page's title.
    pub async fn title(&self) -> String {
        self.command(reqwest::Method::GET, "/title", Value::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Saves a PNG of the viewport under `test-artifacts/`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let data = self
            .command(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .unwrap_or_default();
        let dir = repo_path("test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.png", name.replace(['/', ' ', '?', '='], "_")));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs axe-core (WCAG 2.0, 2.1 and 2.2, A and AA, plus best practice) on the current page
    /// and checks nothing is wider than the window; a failure saves a screenshot and panics with
    /// every violation.
    pub async fn check_page(&self, label: &str) {
        self.script(&self.axe).await;
        let script = "const done = arguments[arguments.length - 1];\
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })\
              .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))))\
              .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));";
        let violations = self
            .command(
                reqwest::Method::POST,
                "/execute/async",
                json!({ "script": script, "args": [] }),
            )
            .await;
        // Elements wider than the window, outside the containers that scroll on purpose.
        let overflow = self
            .script(
                "return [...document.querySelectorAll('body *')]\
                   .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.app-table-container'))\
                   .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className);",
            )
            .await;
        let mut overflow: Vec<Value> = overflow.as_array().cloned().unwrap_or_default();
        let page_scrolls = self
            .script("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
            .await;
        if page_scrolls == true {
            overflow.push(Value::from("the page itself scrolls sideways"));
        }
        let violations = violations.as_array().cloned().unwrap_or_default();
        if !violations.is_empty() || !overflow.is_empty() {
            let shot = self.screenshot(label).await;
            panic!(
                "{label} ({}): {} accessibility violations, wider than the window: {overflow:?}; screenshot {}\n{}",
                self.title().await,
                violations.len(),
                shot.display(),
                serde_json::to_string_pretty(&violations).unwrap()
            );
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the driver ends its Chromium.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
