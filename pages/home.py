"""The resident start page, and — with ?id=<consultation id> — that consultation.

One address for both keeps every shared link (/?id=…) working from the very first visit.
"""

from consultations.ui import consultation_view, context, listing

consultation_id = context.consultation_id()
if consultation_id:
    consultation_view.show(
        context.store(), context.settings(), consultation_id, context.session_id(), context.lang()
    )
else:
    listing.show(context.store(), context.settings(), context.lang())
