"""A receipt's own address: an unguessable token, not the KI number, that the sending
session gets and that opens the receipt for anyone holding it (another device, a new tab,
after a reload); only its hash is stored; on both backends."""

from __future__ import annotations

import hashlib

from consultations.participation.receipt import TOKEN_BYTES, issue_address, receipt_by_token
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_receipt import send
from tests.helpers_receipt import formal  # noqa: F401  (a fixture)


def test_the_sending_session_gets_an_address_that_opens_the_receipt_anywhere(store, formal):  # noqa: F811
    stored = send(store, formal)
    token = issue_address(store, stored.id, "min-økt")
    assert token is not None and len(token) == 32 and stored.reference not in token
    receipt = receipt_by_token(store, token)  # no session needed: another device
    assert receipt is not None and receipt.reference == stored.reference and receipt.text == stored.text
    assert issue_address(store, stored.id, "min-økt") != token  # a new one each time, never derived


def test_another_session_gets_no_address_and_a_wrong_token_opens_nothing(store, formal):  # noqa: F811
    stored = send(store, formal)
    assert issue_address(store, stored.id, "en-annen-økt") is None
    token = issue_address(store, stored.id, "min-økt")
    assert token is not None
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    for asked in (
        wrong,
        stored.reference,
        str(stored.id),
        "",
        token + "x",
        token[:-1],
        "../" + token[3:],
        None,
    ):
        assert receipt_by_token(store, asked) is None, asked


def test_only_the_tokens_hash_is_stored(store, formal):  # noqa: F811
    stored = send(store, formal)
    token = issue_address(store, stored.id, "min-økt")
    assert TOKEN_BYTES * 8 >= 128
    assert store.receipt_token_input(token) is None  # the token itself is not a key
    assert store.receipt_token_input(hashlib.sha256(token.encode()).hexdigest()) == stored.id


def test_the_receipt_says_the_frist_what_happens_next_and_whom_to_ask(store, formal):  # noqa: F811
    from consultations.participation.receipt import receipt_for, receipt_pdf
    from tests.conftest import pdf_lines

    stored = send(store, formal)
    receipt = receipt_for(store, stored.id, "min-økt")
    assert receipt is not None and receipt.closes_at == formal.closes_at
    text = " ".join(pdf_lines(receipt_pdf(receipt, "Asker kommune", "nb")))
    assert "Frist for merknader" in text and "Hva skjer videre" in text
    if formal.contact:
        assert "Spørsmål om saken:" in text
