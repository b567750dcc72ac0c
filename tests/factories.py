"""All test factories, one place. Each app's section builds only that app's models."""

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from members.models import Country, MemberOrganisation
from publications.demo import SAMPLE_PDF

# --- Accounts ---------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True


class SuperUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def staff_in(group_name, **kwargs):
    """A staff account in a group made by the migrations ("Editors", "Publishers")."""
    from django.contrib.auth.models import Group

    user = StaffUserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def editor(**kwargs):
    """May draft and submit publications for review."""
    return staff_in("Editors", **kwargs)


def publisher(**kwargs):
    """May also publish, schedule and unpublish."""
    return staff_in("Publishers", **kwargs)


# --- Members ----------------------------------------------------------------------------------


def country(code):
    """A country loaded by the data migration (TH, KH, NP, ...)."""
    return Country.objects.get(code=code)


class MemberOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberOrganisation

    name = factory.Sequence(lambda n: f"Human Rights Centre {n}")
    acronym = factory.Sequence(lambda n: f"HRC{n}")
    slug = factory.Sequence(lambda n: f"human-rights-centre-{n}")
    country = factory.LazyFunction(lambda: country("TH"))
    city = "Bangkok"
    website = "https://example.org/"
    description = "<p>Works on civic space.</p>"
    year_joined = 2001


def member(name, code, **kwargs):
    """A member organisation named `name` (its slug made from it) in the country `code`."""
    return MemberOrganisationFactory(name=name, slug=slugify(name), country=country(code), **kwargs)


# --- Publications -----------------------------------------------------------------------------


def _yesterday():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=1)


class PublicationFactory(factory.django.DjangoModelFactory):
    """A public statement by default; pass status/publish_at for drafts and scheduled ones.

    `countries=[...]`, `tags=["name", ...]` and `signatories=[member, ...]` are set after
    creation (signatories in the order given); then its search vector is written.
    """

    class Meta:
        model = "publications.Publication"
        skip_postgeneration_save = True

    type = "statement"
    title = factory.Sequence(lambda n: f"Sample statement on civic space {n}")
    slug = factory.Sequence(lambda n: f"sample-statement-{n}")
    standfirst = "Sample summary: fictional content for tests."
    body = "<p>Sample body text.</p>"
    status = "published"
    publish_at = factory.LazyFunction(lambda: _yesterday())

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def signatories(self, create, extracted, **kwargs):
        """Members and partners, in the order given."""
        from publications.models import PartnerOrganisation

        if create and extracted:
            for order, signatory in enumerate(extracted):
                kind = "partner" if isinstance(signatory, PartnerOrganisation) else "member"
                self.signatures.create(**{kind: signatory}, order=order)

    @factory.post_generation
    def search_vector(self, create, extracted, **kwargs):
        """Written as the change event of a service's save would (forumasia/events.py): a
        factory writes with the ORM, which changes no vector."""
        from publications.search import refresh_search_vectors

        if create:
            refresh_search_vectors(type(self).objects.filter(pk=self.pk))


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "publications.PartnerOrganisation"

    name = factory.Sequence(lambda n: f"Solidarity Alliance {n}")
    website = factory.Sequence(lambda n: f"https://alliance{n}.example.org/")


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "publications.Attachment"

    publication = factory.SubFactory(PublicationFactory)
    title = factory.Sequence(lambda n: f"Sample report file {n}")
    file = factory.django.FileField(filename="sample-report.pdf", data=SAMPLE_PDF)


class GalleryImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "publications.GalleryImage"

    publication = factory.SubFactory(PublicationFactory, type="story")
    image = factory.django.ImageField(width=64, height=48, format="JPEG")
    alt_text = factory.Sequence(lambda n: f"Sample photo {n}")


# --- Pages ------------------------------------------------------------------------------------


class PageFactory(factory.django.DjangoModelFactory):
    """A public editorial page by default; pass status/publish_at for drafts and scheduled ones."""

    class Meta:
        model = "pages.Page"

    title = factory.Sequence(lambda n: f"Sample page {n}")
    path = factory.Sequence(lambda n: f"/sample-page-{n}/")
    introduction = "Sample introduction: fictional content for tests."
    body = "<p>Sample page text.</p>"
    status = "published"
    publish_at = factory.LazyFunction(lambda: _yesterday())


# --- Newsletter -------------------------------------------------------------------------------


def _now():
    from django.utils import timezone

    return timezone.now()


class MailingListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.MailingList"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"List {n}")
    slug = factory.Sequence(lambda n: f"list-{n}")
    description = "Sample list."
    is_public = True


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A subscriber row as subscriptions.subscribe() leaves it; change it through that module."""

    class Meta:
        model = "newsletter.Subscriber"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = "confirmed"
    consent_text = "Sample consent."
    consented_at = factory.LazyFunction(_now)
    confirmed_at = factory.LazyAttribute(
        lambda o: o.consented_at if o.status == "confirmed" else None
    )

    @factory.post_generation
    def lists(self, create, extracted, **kwargs):
        from newsletter.models import Subscription

        for mailing_list in extracted or ():
            Subscription.objects.create(
                subscriber=self, mailing_list=mailing_list, subscribed_at=self.consented_at
            )


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.Suppression"

    email = factory.Sequence(lambda n: f"bounced{n}@example.org")
    reason = "bounce"


# --- Newsletter issues (mailings) -------------------------------------------------------------


class IssueFactory(factory.django.DjangoModelFactory):
    """A draft issue with an English variant; `lists=[...]` sets its audience, `items=[...]`
    its publications in that order."""

    class Meta:
        model = "mailings.Issue"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"2026-{n % 12 + 1:02d}-{n}")

    @factory.post_generation
    def english(self, create, extracted, **kwargs):
        from mailings.models import IssueVariant

        if extracted is not False:
            IssueVariant.objects.create(
                issue=self,
                language="en",
                subject=kwargs.get("subject", "FORUM-ASIA monthly: human rights in Asia"),
                preheader=kwargs.get("preheader", "Statements, letters and stories of the month"),
                introduction=kwargs.get("introduction", "<p>Dear friends,</p>"),
            )

    @factory.post_generation
    def lists(self, create, extracted, **kwargs):
        if extracted:
            self.mailing_lists.set(extracted)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        from mailings.models import IssueItem

        for position, publication in enumerate(extracted or ()):
            IssueItem.objects.create(issue=self, publication=publication, position=position)


class IssueVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mailings.IssueVariant"

    issue = factory.SubFactory(IssueFactory, english=False)
    language = "en"
    subject = "FORUM-ASIA monthly"
    preheader = "This month's statements and stories"
    introduction = "<p>Dear friends,</p>"


class SubSiteFactory(factory.django.DjangoModelFactory):
    """A sub-site under /sites/<slug>/ (pass `host=` for one of its own). Saved with the
    factory, its routing sees it once the content version moves (`forumasia.events.changed`) or
    the cache is cleared, as each test starts with."""

    class Meta:
        model = "subsites.SubSite"

    name = factory.Sequence(lambda n: f"Campaign {n}")
    short_name = factory.Sequence(lambda n: f"C{n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    introduction = "<p>A campaign of the network.</p>"


class PickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "subsites.Pick"

    sub_site = factory.SubFactory(SubSiteFactory)
    publication = factory.SubFactory(PublicationFactory)
