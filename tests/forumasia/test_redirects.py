"""Old addresses (forumasia/redirects.py): whatever sequence of renames, every address a page
had leads to where it is now in one hop, and no redirect leads away from a live address."""

import pytest
from django.contrib.redirects.models import Redirect
from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia import redirects

pytestmark = pytest.mark.django_db

paths = st.sampled_from([f"/publications/{name}/" for name in "abcdef"])


@settings(max_examples=60, deadline=None)
@given(renames=st.lists(paths, min_size=1, max_size=8))
def test_any_renames_leave_one_hop_redirects_and_no_loop(renames):
    Redirect.objects.all().delete()
    current, former = "/publications/start/", set()

    for new_path in renames:
        if new_path == current:
            continue
        redirects.moved(old_path=current, new_path=new_path)
        former.add(current)
        current = new_path

    table = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert current not in table
    assert all(table[path] == current for path in former - {current})
    assert set(table) == former - {current}


def test_a_page_claiming_an_address_removes_the_redirect_from_it():
    redirects.moved(old_path="/members/a/", new_path="/members/b/")

    redirects.claimed(path="/members/a/")

    assert not Redirect.objects.exists()
