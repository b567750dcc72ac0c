"""An editor logged in to the admin in Chromium, and what the browser reports about CSP."""

import io

from django.contrib.auth.models import Group
from PIL import Image

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
GPS_IFD = 0x8825

# Builds a File in the editing frame and hands it to the body as a paste or a drop, the way
# the browser does when an editor pastes a screenshot or drags a photo from their desktop.
SEND_FILE = """([kind, name, type, b64]) => {
    const frame = document.querySelector("iframe.cke_wysiwyg_frame");
    const win = frame.contentWindow, doc = frame.contentDocument;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new win.DataTransfer();
    transfer.items.add(new win.File([bytes], name, {type}));
    doc.body.focus();
    const box = doc.body.lastElementChild.getBoundingClientRect();
    const init = {bubbles: true, cancelable: true};
    const event = kind === "paste"
        ? new win.ClipboardEvent("paste", {...init, clipboardData: transfer})
        : new win.DragEvent("drop", {...init, dataTransfer: transfer,
            clientX: box.right - 2, clientY: box.top + 4});
    doc.body.dispatchEvent(event);
}"""

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


def log_in_as_editor(page, live_server, group="Editors"):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=group))
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


def open_new_publication(page, live_server, text, group="Editors"):
    """A logged-in member of `group` on the add form, `text` typed into the body."""
    log_in_as_editor(page, live_server, group)
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


def photo_with_gps(colour):
    image = Image.new("RGB", (640, 400), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def wait_for_uploaded_images(page, count):
    page.wait_for_function(
        """(count) => {
            const doc = document.querySelector("iframe.cke_wysiwyg_frame").contentDocument;
            const done = [...doc.querySelectorAll("img")].filter(
                (img) => img.getAttribute("src").startsWith("/media/uploads/") && img.naturalWidth
            );
            return done.length === count;
        }""",
        arg=count,
        timeout=15_000,
    )
