"""Events of publications other apps may follow (connected from their `ready()`)."""

from django.dispatch import Signal

# Sent by publications/relocation.py once publications' files have been copied into their own
# folders, before the old copies are deleted. Arguments: `apps` (the models to use: a
# migration's historical ones), `moved` [(old name, publication id, new name, the name of the
# model whose row uses it: "publication", "galleryimage" or "attachment")], `kept` {old names a
# page's text links, which stay public}.
files_relocated = Signal()
