"""The resident start page, and — with ?id=<consultation id> — that consultation.

One address for both keeps every shared link (/?id=…) working from the very first visit.
With ?embed=true (in the municipality's page) the consultation comes without the app's
navigation, and tells the frame its height.
"""

from consultations.ui import auth, consultation_view, context, embed, listing, opendata
from consultations.ui.frame import bottom, top

store, settings, lang = context.store(), context.settings(), context.lang()
consultation_id = context.consultation_id()
top(lang)
if consultation_id:
    staff = auth.current_user(store) is not None
    consultation_view.show(
        store,
        settings,
        consultation_id,
        context.session_id(),
        lang,
        staff_preview=staff,
        embedded=embed.embedded(),
    )
    opendata.link(store, consultation_id, lang)
else:
    listing.show(store, settings, lang)

bottom(lang)
embed.follow_height(settings)
