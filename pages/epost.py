"""E-post: confirm an address (?bekreft=…) or stop a follow (?avmeld=…), from a mail's link."""

from consultations.ui import context, mail_forms
from consultations.ui.frame import bottom, top

store, lang = context.store(), context.lang()
top(lang)
mail_forms.link_page(store, lang)
bottom(lang)
