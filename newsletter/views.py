"""Public sign-up, confirmation and self-service pages. Thin: newsletter/subscriptions.py
decides."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import subscriptions, tokens
from .forms import CONSENT_TEXT, PreferencesForm, SubscribeForm
from .models import MailingList
from .ratelimit import allow_mail_request


def _page_language():
    """The language of the page being answered, as settings.LANGUAGES names it: set by its
    address (LocaleMiddleware), never by anything a visitor posts."""
    try:
        return translation.get_supported_language_variant(translation.get_language())
    except LookupError:
        return settings.LANGUAGE_CODE


def _link_problem(request, *, expired=False):
    return render(
        request,
        "newsletter/link_problem.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


def _test_link(request):
    """A link from a test message: it works, and it acts on nobody."""
    return render(request, "newsletter/test_link.html")


def _link_expired(request, token):
    """A genuine manage or unsubscribe link past its lifetime: offer a fresh one by email.
    Nothing about the subscriber is shown: whoever holds an old link may not be its owner."""
    return render(
        request,
        "newsletter/link_expired.html",
        {
            "fresh_link_url": reverse("newsletter:manage", args=[token]),
            "manage_days": subscriptions.link_lifetime("manage").days,
            "unsubscribe_days": subscriptions.link_lifetime("unsubscribe").days,
        },
        status=410,
    )


def _send_fresh_link(request, subscriber):
    if not allow_mail_request(request):
        return render(request, "newsletter/rate_limited.html", status=429)
    subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)
    return render(request, "newsletter/fresh_link_sent.html")


class SubscribeView(View):
    template_name = "newsletter/subscribe.html"

    @classmethod
    def page(cls, request, form, status=200):
        # The page says how long an unconfirmed address is kept (delete_expired_signups).
        context = {"form": form, "confirm_days": tokens.CONFIRMATION_MAX_AGE.days}
        return render(request, cls.template_name, context, status=status)

    @staticmethod
    def check_inbox(request, email):
        context = {"email": email, "confirm_days": tokens.CONFIRMATION_MAX_AGE.days}
        return render(request, "newsletter/check_inbox.html", context)

    def get(self, request):
        return self.page(request, self.blank_form())

    @staticmethod
    def blank_form(*, chosen=(), **initial):
        """The sign-up form, with the public lists among `chosen` (slugs) ticked; with none of
        them, the default list."""
        lists = MailingList.objects.public().filter(slug__in=chosen) if chosen else None
        if not lists:
            lists = MailingList.objects.public().default()
        return SubscribeForm(initial={"lists": lists, **initial})

    def post(self, request):
        if not allow_mail_request(request):
            return render(request, "newsletter/rate_limited.html", status=429)
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        data = form.cleaned_data
        if form.is_bot:
            # Looks like success to the bot, does nothing.
            return self.check_inbox(request, data["email"])
        try:
            result = subscriptions.subscribe(
                email=data["email"],
                consent_text=CONSENT_TEXT,
                lists=data["lists"],
                name=data["name"],
                organisation=data["organisation"],
                country=data["country"],
                source_page=data["source"] or request.path,
                language=_page_language(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.page(request, form, status=400)
        # The same page whatever the address's state: it must not tell anyone who subscribes.
        return self.check_inbox(request, result.subscriber.email)


# The short forms (footer, home) post only an address here, without a CSRF token, so that the
# pages carrying them hold nothing per visitor and can be cached for everyone (forumasia/cache.py).
# Exempting this view is safe because it changes nothing: it only shows the full sign-up form
# with the address filled in, and that form's POST is CSRF-protected as usual. POST rather than
# GET keeps the address out of URLs, access logs and browser history.
@csrf_exempt
@require_POST
@never_cache
def start(request):
    email = request.POST.get("email", "").replace("\x00", "").strip()[:254]
    source = request.POST.get("source", "").replace("\x00", "")[:200]
    # A sub-site's short form names its list (includes/newsletter_form.html): it is ticked.
    chosen = [slug for slug in request.POST.getlist("lists")[:5] if slug_re.match(slug)]
    return SubscribeView.page(
        request, SubscribeView.blank_form(chosen=chosen, email=email, source=source)
    )


def _welcome(request, subscriber):
    manage_token = tokens.manage_token(subscriber)
    return render(
        request,
        "newsletter/welcome.html",
        {
            "subscriber": subscriber,
            "lists": MailingList.objects.joined_by(subscriber),
            "manage_url": reverse("newsletter:manage", args=[manage_token]),
        },
    )


# Mail scanners open every link in an email, so opening the link only shows what it confirms;
# the button's POST confirms. That POST carries no CSRF token, for the reason one-click
# unsubscribing needs none: it acts only on the signed token in its address, which a cross-site
# attacker cannot forge (they could only confirm a sign-up of their own). Without a token the
# page sets no cookie, for a reader who may be in a country where our cookie is a risk.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        if request.method == "POST":
            return _welcome(request, subscriptions.confirm(token=token))
        signup_request = subscriptions.signup_request_from_token(token)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True)
    except tokens.TokenInvalid:
        return _link_problem(request)
    if signup_request.confirmed_at is not None:
        return _welcome(request, signup_request.subscriber)
    return render(
        request,
        "newsletter/confirm.html",
        {"subscriber": signup_request.subscriber, "lists": signup_request.lists.all()},
    )


@method_decorator(never_cache, name="dispatch")
class ManageView(View):
    template_name = "newsletter/manage.html"

    def dispatch(self, request, token):
        try:
            self.subscriber = subscriptions.subscriber_from_manage_token(token, purpose="manage")
        except subscriptions.LinkExpired as expired:
            if request.method == "POST" and request.POST.get("action") == "send-fresh-link":
                return _send_fresh_link(request, expired.subscriber)
            return _link_expired(request, token)
        except tokens.TestLinkToken:
            return _test_link(request)
        except tokens.TokenInvalid:
            return _link_problem(request)
        return super().dispatch(request, token)

    def render_page(self, form, status=200):
        subscriber = self.subscriber
        return render(
            self.request,
            self.template_name,
            {
                "subscriber": subscriber,
                "form": form,
                "is_unsubscribed": subscriber.is_unsubscribed,
                "unsubscribe_url": reverse("newsletter:unsubscribe", args=[self.kwargs["token"]]),
            },
            status=status,
        )

    def get(self, request, token):
        form = PreferencesForm(
            initial={"lists": MailingList.objects.public().joined_by(self.subscriber)},
            needs_consent=self.subscriber.is_unsubscribed,
        )
        return self.render_page(form)

    def post(self, request, token):
        if request.POST.get("action") == "unsubscribe":
            subscriptions.unsubscribe(subscriber=self.subscriber)
            messages.success(
                request,
                gettext(
                    "You are unsubscribed from every list. Changed your mind? Choose lists below."
                ),
            )
            return redirect("newsletter:manage", token=token)
        was_unsubscribed = self.subscriber.is_unsubscribed
        form = PreferencesForm(request.POST, needs_consent=was_unsubscribed)
        if not form.is_valid():
            return self.render_page(form, status=400)
        subscriber = subscriptions.update_preferences(
            subscriber=self.subscriber,
            lists=form.cleaned_data["lists"],
            consent_text=CONSENT_TEXT if was_unsubscribed else "",
            language=_page_language(),
        )
        if subscriber.is_unsubscribed:
            messages.success(
                request, gettext("You chose no list, so you are unsubscribed from every list.")
            )
        elif was_unsubscribed:
            messages.success(request, gettext("Welcome back: you are subscribed again."))
        else:
            messages.success(request, gettext("Your choices are saved."))
        return redirect("newsletter:manage", token=token)


def _csrf_rejection(request):
    """Run Django's CSRF check by hand for a view that is exempt only for one kind of POST."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})


# RFC 8058 one-click unsubscribe: mail providers POST "List-Unsubscribe=One-Click" to the URL in
# the List-Unsubscribe header without cookies, so they cannot send a CSRF token. That POST is
# safe without one because it acts only on a valid signed token, which a cross-site attacker
# cannot forge. The page's own button sends the same POST, so the page sets no cookie. Every
# other POST to this view is CSRF-checked by hand below.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click:
        rejection = _csrf_rejection(request)
        if rejection is not None:
            return rejection
    try:
        subscriber = subscriptions.subscriber_from_manage_token(token, purpose="unsubscribe")
    except subscriptions.LinkExpired:
        return _link_expired(request, token)
    except tokens.TestLinkToken:
        return _test_link(request)
    except tokens.TokenInvalid:
        return _link_problem(request)
    manage_url = reverse("newsletter:manage", args=[token])
    if request.method == "GET":
        # Reopened after unsubscribing: say so, with the way back, rather than ask again.
        already = subscriber.is_unsubscribed
        return render(
            request,
            "newsletter/unsubscribed.html" if already else "newsletter/unsubscribe_confirm.html",
            {"subscriber": subscriber, "manage_url": manage_url},
        )
    subscriptions.unsubscribe(subscriber=subscriber)
    return render(
        request,
        "newsletter/unsubscribed.html",
        {"subscriber": subscriber, "manage_url": manage_url},
    )
