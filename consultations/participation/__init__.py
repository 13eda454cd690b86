"""Participation: what a resident does and sees — the submission and its checks,
attachments, questions, drawing, place search, the receipt, the public view, embedding."""
