"""An editor logged in to the admin in Chromium, and what the browser reports about CSP."""

from django.contrib.auth.models import Group

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

# Registered in every document as it is created (Playwright's init scripts bypass the CSP).
# A frame CKEditor writes with document.open() loses its listeners, so `listen_in_frames`
# registers them again in every frame after each step.
LISTEN = """() => {
    if (document.__cspListener) return;
    document.__cspListener = true;
    document.addEventListener("securitypolicyviolation", (event) => {
        const top = window.top;
        top.__cspViolations = top.__cspViolations || [];
        top.__cspViolations.push(
            `${event.violatedDirective} ${event.blockedURI} ${event.sample} ` +
            `(${event.sourceFile}:${event.lineNumber})`
        );
    });
}"""


def log_in_as_editor(page, live_server):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return editor


def wait_for_editor(page, field="id_body"):
    # A function, not an expression: Playwright polls expressions with eval(), which the
    # admin's CSP refuses.
    page.wait_for_function(
        "(name) => window.CKEDITOR && CKEDITOR.instances[name] "
        "&& CKEDITOR.instances[name].status === 'ready'",
        arg=field,
    )


def open_new_publication(page, live_server, text):
    """A logged-in editor on the add form, `text` typed into the body."""
    log_in_as_editor(page, live_server)
    page.goto(live_server.url + "/admin/publications/publication/add/")
    wait_for_editor(page)
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.type(text)
    return page


class CSPReports:
    """Every Content-Security-Policy violation in the page and its frames, from three
    witnesses: `securitypolicyviolation` events, console errors, and Chromium's own issue
    reports (DevTools Audits), which see frames whose listeners CKEditor's writes removed."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.issues = []
        page.add_init_script(f"({LISTEN})()")
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        session = page.context.new_cdp_session(page)
        session.on("Audits.issueAdded", self._issue)
        session.send("Audits.enable")

    def _console(self, message):
        if message.type == "error":
            self.console.append(message.text)

    def _issue(self, event):
        issue = event["issue"]
        if issue["code"] == "ContentSecurityPolicyIssue":
            self.issues.append(issue["details"]["contentSecurityPolicyIssueDetails"])

    def listen_in_frames(self):
        for frame in self.page.frames:
            frame.evaluate(LISTEN)

    @property
    def events(self):
        return self.page.evaluate("() => window.__cspViolations || []")

    def all(self):
        self.listen_in_frames()
        return {"events": self.events, "console": self.console, "issues": self.issues}

    def none(self):
        return self.all() == {"events": [], "console": [], "issues": []}
