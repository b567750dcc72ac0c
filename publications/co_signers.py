"""Lines of "Other co-signers" (free text) that name a partner organisation become signatures.

One rule for the data migration that introduced partners (historical models) and for every
partner an editor adds or renames later (services.link_co_signers): a line matches a partner
when it is the partner's name exactly, ignoring case and the spaces around it. Matched lines
become partner signatures after the publication's existing ones; the other lines stay as they
were.
"""

from django.db.models import Max


def matching_key(name):
    return name.strip().lower()


def move_co_signers_to_partners(*, partners, publications, signature_model):
    """Move the co-signer lines of `publications` (a queryset) that name one of `partners` into
    signatures (`signature_model`: the Signature model, historical in a migration). Returns
    how many lines were moved."""
    by_name = {matching_key(partner.name): partner for partner in partners}
    if not by_name:
        return 0
    moved = 0
    for publication in publications.exclude(co_signers="").only("pk", "co_signers"):
        kept, found = [], []
        for line in publication.co_signers.splitlines():
            partner = by_name.get(matching_key(line))
            if partner is None or partner in found:
                kept.append(line)
            else:
                found.append(partner)
        if not found:
            continue
        # The text first: saving a signature rewrites the search vector from both.
        publications.filter(pk=publication.pk).update(co_signers="\n".join(kept))
        signatures = signature_model.objects.filter(publication_id=publication.pk)
        order = signatures.aggregate(last=Max("order"))["last"]
        order = -1 if order is None else order
        signed = set(signatures.filter(partner__in=found).values_list("partner_id", flat=True))
        for partner in found:
            if partner.pk not in signed:
                order += 1
                signature_model.objects.create(
                    publication_id=publication.pk, partner=partner, order=order
                )
        moved += len(found)
    return moved
